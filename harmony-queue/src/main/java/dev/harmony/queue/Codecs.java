package dev.harmony.queue;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Attribute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes a queue persists by default: those the destination backends read (DicomForward: SOP
 * class, SOP instance, transfer syntax; FhirClient: the exchange id; HttpForward: peer, scheme, host,
 * prefix) and the caller's identity. The DICOM and HTTP sets load only when their module is present.
 */
final class Codecs {
    private static final boolean DICOM = present("dev.harmony.dicom.DicomAttributes");
    private final Map<String, AttributeCodec<?>> byName;

    /** A body that is already on disk: {@code file} from {@code offset} on. */
    record StoredFile(java.nio.file.Path file, long offset) {
    }

    /** The Part-10 file a DICOM store wrote and handed on with {@code request}, if any (see StoreAndForward). */
    static StoredFile storedFile(dev.harmony.message.Request request) {
        return DICOM ? Dicom.storedFile(request) : null;
    }

    private Codecs(Map<String, AttributeCodec<?>> byName) {
        this.byName = byName;
    }

    static Codecs defaultsPlus(List<AttributeCodec<?>> extra) {
        List<AttributeCodec<?>> all = new ArrayList<>();
        all.add(AttributeCodec.string(Attribute.EXCHANGE_ID));
        all.add(AttributeCodec.string(Attribute.PIPELINE)); // whose listeners hear of the delivery attempts
        all.add(AttributeCodec.string(Attribute.PRINCIPAL));
        all.add(AttributeCodec.socketAddress(Attribute.REMOTE_ADDRESS));
        if (DICOM) {
            all.addAll(Dicom.codecs());
        }
        if (present("dev.harmony.http.HttpAttributes")) {
            all.addAll(Http.codecs());
        }
        all.addAll(extra);
        Map<String, AttributeCodec<?>> map = new LinkedHashMap<>();
        for (AttributeCodec<?> c : all) {
            map.put(c.key().name(), c); // a later codec for the same name replaces a default
        }
        return new Codecs(map);
    }

    /** The codec for {@code key}, if the queue persists it (matched by identity, as attributes are). */
    AttributeCodec<?> forKey(Attribute<?> key) {
        AttributeCodec<?> c = byName.get(key.name());
        return c != null && c.key() == key ? c : null;
    }

    AttributeCodec<?> forName(String name) {
        return byName.get(name);
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Codecs.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Separate classes, so the optional modules are loaded only when present. */
    private static final class Dicom {
        static StoredFile storedFile(dev.harmony.message.Request request) {
            var file = request.attribute(DicomAttributes.STORED_FILE);
            var offset = request.attribute(DicomAttributes.DATASET_OFFSET);
            return file.isPresent() && offset.isPresent() ? new StoredFile(file.get(), offset.get()) : null;
        }

        static List<AttributeCodec<?>> codecs() {
            return List.of(
                    AttributeCodec.string(DicomAttributes.CALLING_AE),
                    AttributeCodec.string(DicomAttributes.CALLED_AE),
                    AttributeCodec.string(DicomAttributes.LOCAL_AE),
                    AttributeCodec.string(DicomAttributes.ASSOCIATION_ID),
                    AttributeCodec.string(DicomAttributes.SOP_CLASS_UID),
                    AttributeCodec.string(DicomAttributes.SOP_INSTANCE_UID),
                    AttributeCodec.integer(DicomAttributes.MESSAGE_ID),
                    AttributeCodec.of(DicomAttributes.TRANSFER_SYNTAX, Dicom::encode, Dicom::decode));
        }

        /** The UID names a known syntax; the flags keep one configured by the application exact. */
        private static String encode(TransferSyntax ts) {
            return ts.uid() + "|" + ts.explicitVr() + "|" + ts.bigEndian() + "|" + ts.deflated() + "|" + ts.name();
        }

        private static TransferSyntax decode(String text) {
            String[] p = text.split("\\|", 5);
            return TransferSyntax.of(p[0]).orElseGet(() -> new TransferSyntax(p[0], p[4], Boolean.parseBoolean(p[1]),
                    Boolean.parseBoolean(p[2]), Boolean.parseBoolean(p[3])));
        }
    }

    private static final class Http {
        static List<AttributeCodec<?>> codecs() {
            return List.of(
                    AttributeCodec.string(HttpAttributes.SCHEME),
                    AttributeCodec.string(HttpAttributes.HOST),
                    AttributeCodec.string(HttpAttributes.PATH_PREFIX),
                    AttributeCodec.socketAddress(HttpAttributes.PEER_ADDRESS),
                    AttributeCodec.string(HttpAttributes.JWT_SUBJECT),
                    AttributeCodec.string(HttpAttributes.JWT_ISSUER),
                    AttributeCodec.string(HttpAttributes.CLIENT_ID));
        }
    }
}
