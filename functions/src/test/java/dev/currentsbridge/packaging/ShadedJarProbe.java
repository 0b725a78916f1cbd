package dev.currentsbridge.packaging;

import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Runs in a child JVM whose classpath is the shaded jar plus this class (see {@link ShadedJarIT}): writes and
 * reads Currents-shaped Avro files with each codec Currents uses, and maps them.
 */
public final class ShadedJarProbe {

    public static void main(String[] args) throws Exception {
        Schema schema = SchemaBuilder.record("users.messages.email.Open").namespace("dataexport.S3.inner").fields()
                .requiredString("id").requiredInt("time").optionalString("external_user_id")
                .optionalString("campaign_id").optionalString("email_address").endRecord();
        EventMapper mapper = new EventMapper(MappingConfig.defaults());
        int[] mapped = {0};
        StringBuilder result = new StringBuilder();
        for (String codec : new String[] {"deflate", "snappy", "null"}) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
                w.setCodec(CodecFactory.fromString(codec));
                w.create(schema, file);
                for (int i = 0; i < 1000; i++) {
                    GenericRecord r = new GenericData.Record(schema);
                    r.put("id", "evt-" + codec + "-" + i);
                    r.put("time", 1_764_300_000 + i);
                    r.put("external_user_id", "user-" + i);
                    r.put("campaign_id", "camp-1");
                    r.put("email_address", "probe@example.com");
                    w.append(r);
                }
            }
            long n = new AvroEventReader().read(new ByteArrayInputStream(file.toByteArray()), null, new EventSink() {
                @Override
                public void accept(CurrentsEvent event) {
                    if (mapper.map(event) instanceof MappingResult.Mapped) {
                        mapped[0]++;
                    }
                }

                @Override
                public void reject(DecodeFailure failure) {
                    throw new IllegalStateException(failure.reason());
                }
            });
            result.append(codec).append('=').append(n).append(' ');
        }
        result.append("mapped=").append(mapped[0]);
        Files.writeString(Path.of(args[0]), result.toString());
    }
}
