package dev.currentsbridge.export;

import dev.currentsbridge.common.aws.SdkPriming;
import dev.currentsbridge.common.http.HttpPriming;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.adapter.S3ObjectSource;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.pipeline.PipelinePriming;

/**
 * The export function's SnapStart priming, all of it: the pipeline's mapping, JSON and Avro code on made-up
 * events, then each real adapter's own priming, then the request paths without traffic (a gzip POST on the
 * shared HTTP client to a loopback responder, the SDK pipeline of the rejects queue over a canned in-memory
 * answer, the Secrets Manager read's signer). No secret is read and no connection survives into the snapshot.
 * Ports that are not the real adapters (tests, local mode) have nothing of their own to prime.
 */
final class ExportPriming {

    private ExportPriming() {
    }

    static void prime(EventMapper mapper, ExportPorts ports) {
        PipelinePriming.prime(mapper);
        if (ports.mixpanel() instanceof MixpanelHttpImport mixpanel) {
            mixpanel.prime();
            SdkPriming.primeSecretsManager();
        }
        if (ports.rejects() instanceof SqsRejectSink rejects) {
            rejects.prime();
        }
        if (ports.objects() instanceof S3ObjectSource objects) {
            objects.prime();
        }
        HttpPriming.primePost();
        SdkPriming.primeSqs();
    }
}
