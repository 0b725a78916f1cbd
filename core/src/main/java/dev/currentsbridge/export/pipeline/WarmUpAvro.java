package dev.currentsbridge.export.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/** A one-record Currents-like Avro file made in memory, so {@link PipelinePriming} loads the Avro reading path. */
final class WarmUpAvro {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Open\",\"namespace\":"
            + "\"dataexport.S3.inner.users.messages.email\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"time\",\"type\":\"int\"},"
            + "{\"name\":\"external_user_id\",\"type\":[\"null\",\"string\"],\"default\":null}]}";

    private WarmUpAvro() {
    }

    static byte[] file() {
        Schema schema = new Schema.Parser().parse(SCHEMA);
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", "warm-3");
        r.put("time", 1_700_000_000);
        r.put("external_user_id", "warm");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            w.setCodec(CodecFactory.deflateCodec(1));
            w.create(schema, out);
            w.append(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
