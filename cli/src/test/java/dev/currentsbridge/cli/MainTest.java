package dev.currentsbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    @TempDir
    Path tmp;

    @Test
    void noArgumentsPrintsTheCommandsAndFails() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("local") && r.err().contains("export") && r.err().contains("keys")
                && r.err().contains("invoke"), r.toString());
    }

    @Test
    void unknownCommandIsOneLine() {
        Cli.Result r = Cli.run("lcoal");
        assertEquals(2, r.exitCode());
        assertOneLine(r, "unknown command 'lcoal'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "export", "keys", "invoke"})
    void everyCommandHasHelp(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("usage: bridge " + command), r.out());
        assertTrue(r.out().contains("--config FILE"), r.out());
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "export", "keys", "invoke"})
    void unknownFlagIsOneLineAndExitCode2(String command) {
        Cli.Result r = Cli.run(command, "--no-such-flag");
        assertEquals(2, r.exitCode(), r.toString());
        assertOneLine(r, "unknown option --no-such-flag for '" + command + "'");
    }

    @Test
    void flagWithoutItsValueIsOneLine() {
        Cli.Result r = Cli.run("export", "--dry-run");
        assertEquals(2, r.exitCode(), r.toString());
        assertOneLine(r, "option --dry-run needs a value (DIR)");
    }

    @Test
    void malformedNumberAndDurationAreOneLine() {
        assertOneLine(Cli.run("local", "--port", "eighty"), "--port must be a whole number, got 'eighty'");
        assertOneLine(Cli.run("local", "--refresh-every", "soon"), "--refresh-every: not a duration: 'soon'");
    }

    @Test
    void missingConfigFileIsOneLine() {
        Cli.Result r = Cli.run("keys", "list", "--config", tmp.resolve("nope.properties").toString());
        assertEquals(1, r.exitCode());
        assertOneLine(r, "config file not found");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheConfigFile() throws Exception {
        Path fromFile = tmp.resolve("from-file");
        Path fromEnv = tmp.resolve("from-env");
        Path fromFlag = tmp.resolve("from-flag");
        Path config = tmp.resolve("bridge.properties");
        Files.writeString(config, "state=" + fromFile + "\nlabel=from the file\n");

        Cli.Result file = Cli.run("keys", "create", "--config", config.toString());
        assertEquals(0, file.exitCode(), file.toString());
        assertTrue(file.out().contains("local store " + fromFile), file.out());

        Cli.Result env = Cli.run(Map.of("BRIDGE_STATE", fromEnv.toString()), "keys", "create", "--config", config.toString());
        assertTrue(env.out().contains("local store " + fromEnv), env.out());

        Cli.Result flag = Cli.run(Map.of("BRIDGE_STATE", fromEnv.toString()), "keys", "list", "--config",
                config.toString(), "--state", fromFlag.toString());
        assertTrue(flag.out().contains("no data import keys in local store " + fromFlag), flag.out());

        Cli.Result listFile = Cli.run("keys", "list", "--config", config.toString());
        assertTrue(listFile.out().contains("from the file"), listFile.out());
    }

    @Test
    void unknownKeyInConfigFileIsOneLine() throws Exception {
        Path config = tmp.resolve("bridge.properties");
        Files.writeString(config, "stat=/tmp/x\n");
        Cli.Result r = Cli.run("keys", "list", "--config", config.toString());
        assertEquals(1, r.exitCode());
        assertOneLine(r, "unknown key 'stat' for 'keys'");
    }

    static void assertOneLine(Cli.Result r, String expected) {
        assertTrue(r.exitCode() != 0, r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains(expected), r.toString());
    }
}
