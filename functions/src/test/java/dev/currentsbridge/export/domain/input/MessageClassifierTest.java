package dev.currentsbridge.export.domain.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.currentsbridge.export.domain.input.InputMessage.S3ObjectRef;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageClassifierTest {

    private static final String KEY = "p/event_type=users.messages.email.Open/date=2026-11-28-22/a b/x+0+12.avro";

    @Test
    void storageEventsTakeTheirTypeFromTheBodyOrTheAttribute() {
        InputMessage.StorageEvent inBody = assertInstanceOf(InputMessage.StorageEvent.class,
                MessageClassifier.classify(CurrentsFixtures.storageJson("1", "u"), "ignored.Type"));
        assertEquals(CurrentsFixtures.EMAIL_OPEN, inBody.eventTypeHint());
        InputMessage.StorageEvent fromAttr = assertInstanceOf(InputMessage.StorageEvent.class,
                MessageClassifier.classify(CurrentsFixtures.emailOpen("1", "u").toString(), "a.Type"));
        assertEquals("a.Type", fromAttr.eventTypeHint());
    }

    @Test
    void httpBatches() {
        assertInstanceOf(InputMessage.HttpBatch.class, MessageClassifier.classify(CurrentsFixtures.httpBatch("h", 2), null));
    }

    @Test
    void s3NotificationsDirectViaSnsAndEventBridgeAllNameTheDecodedKey() {
        S3ObjectRef expected = new S3ObjectRef("bkt", KEY);
        for (String body : List.of(CurrentsFixtures.s3Notification("bkt", KEY),
                CurrentsFixtures.snsWrapped(CurrentsFixtures.s3Notification("bkt", KEY)),
                CurrentsFixtures.eventBridgeObjectCreated("bkt", KEY))) {
            InputMessage.S3Objects s3 = assertInstanceOf(InputMessage.S3Objects.class, MessageClassifier.classify(body, null));
            assertEquals(List.of(expected), s3.objects(), body);
        }
    }

    @Test
    void keysAreFormUrlDecoded() {
        assertEquals("a b+c=d/e", MessageClassifier.decodeKey("a+b%2Bc%3Dd/e"));
        assertEquals("100%", MessageClassifier.decodeKey("100%"));
    }

    @Test
    void testEventsAndOtherNotificationsAreIgnored() {
        assertEquals(new InputMessage.Ignored("s3_test_event"), MessageClassifier.classify(
                "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"b\"}", null));
        assertEquals(new InputMessage.Ignored("s3_not_object_created"), MessageClassifier.classify(
                "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\",\"s3\":{}}]}", null));
        assertInstanceOf(InputMessage.Ignored.class, MessageClassifier.classify(
                "{\"source\":\"aws.s3\",\"detail-type\":\"Object Deleted\",\"detail\":{}}", null));
    }

    @Test
    void anythingElseIsMalformedWithAReason() {
        assertEquals("not_json", reason("{oops"));
        assertEquals("empty_body", reason(null));
        assertEquals("empty_body", reason(" "));
        assertEquals("unknown_shape", reason("[1,2]"));
        assertEquals("unknown_shape", reason("\"text\""));
        assertEquals("unknown_shape", reason("{\"hello\":1}"));
        assertEquals("unknown_shape", reason("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}"));
        assertEquals("s3_notification_incomplete", reason(
                "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{}}]}"));
        assertEquals("not_json", reason("{\"Type\":\"Notification\",\"Message\":\"{nope\"}"));
    }

    private static String reason(String body) {
        return assertInstanceOf(InputMessage.Malformed.class, MessageClassifier.classify(body, null)).reasonCode();
    }
}
