package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.standins.local.FileCohortStore;
import dev.currentsbridge.cohorts.port.CohortStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file store, reopened before every check would be slow: the contract runs on one open instance. */
class FileCohortStoreContractTest extends CohortStoreContract {
    @TempDir
    Path dir;

    @Override
    CohortStore store() {
        return FileCohortStore.open(dir);
    }
}
