package dev.harmony.dicom.internal.net;

import dev.harmony.dicom.UserIdentity;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encodes and decodes the association PDUs of PS3.8 section 9.3 (all numbers big endian). */
public final class PduCodec {
    private static final int ITEM_APPLICATION_CONTEXT = 0x10;
    private static final int ITEM_PRESENTATION_RQ = 0x20;
    private static final int ITEM_PRESENTATION_AC = 0x21;
    private static final int ITEM_ABSTRACT_SYNTAX = 0x30;
    private static final int ITEM_TRANSFER_SYNTAX = 0x40;
    private static final int ITEM_USER_INFO = 0x50;
    private static final int SUB_MAX_LENGTH = 0x51;
    private static final int SUB_IMPLEMENTATION_CLASS = 0x52;
    private static final int SUB_ASYNC_OPS = 0x53;
    private static final int SUB_ROLE_SELECTION = 0x54;
    private static final int SUB_IMPLEMENTATION_VERSION = 0x55;
    private static final int SUB_USER_IDENTITY_RQ = 0x58;
    private static final int SUB_USER_IDENTITY_AC = 0x59;
    /** Stands in for an absent user information item. */
    private static final UserInfo NO_USER_INFO = new UserInfo(0, "", null, 0, 0, List.of());

    private PduCodec() {
    }

    // ---- encoding ----

    public static byte[] encode(AssociateRequest rq) {
        Out body = new Out();
        body.u16(rq.protocolVersion()).u16(0).ae(rq.calledAe()).ae(rq.callingAe()).zeros(32);
        body.item(ITEM_APPLICATION_CONTEXT, ascii(rq.applicationContext()));
        for (PresentationContext pc : rq.contexts()) {
            Out item = new Out();
            item.u8(pc.id()).u8(0).u8(0).u8(0);
            item.item(ITEM_ABSTRACT_SYNTAX, ascii(pc.abstractSyntax()));
            for (String ts : pc.transferSyntaxes()) {
                item.item(ITEM_TRANSFER_SYNTAX, ascii(ts));
            }
            body.item(ITEM_PRESENTATION_RQ, item.bytes());
        }
        body.item(ITEM_USER_INFO, userInfo(rq.userInfo()));
        return pdu(PduType.ASSOCIATE_RQ, body.bytes());
    }

    public static byte[] encode(AssociateAccept ac) {
        Out body = new Out();
        body.u16(1).u16(0).ae(ac.calledAe()).ae(ac.callingAe()).zeros(32);
        body.item(ITEM_APPLICATION_CONTEXT, ascii(ac.applicationContext()));
        for (PresentationResult r : ac.results()) {
            Out item = new Out();
            item.u8(r.id()).u8(0).u8(r.result()).u8(0);
            item.item(ITEM_TRANSFER_SYNTAX, r.accepted() ? ascii(r.transferSyntax()) : new byte[0]);
            body.item(ITEM_PRESENTATION_AC, item.bytes());
        }
        body.item(ITEM_USER_INFO, userInfo(ac.userInfo()));
        return pdu(PduType.ASSOCIATE_AC, body.bytes());
    }

    public static byte[] encode(AssociateReject rj) {
        return pdu(PduType.ASSOCIATE_RJ, new byte[] {0, (byte) rj.result(), (byte) rj.source(), (byte) rj.reason()});
    }

    public static byte[] releaseRequest() {
        return pdu(PduType.RELEASE_RQ, new byte[4]);
    }

    public static byte[] releaseResponse() {
        return pdu(PduType.RELEASE_RP, new byte[4]);
    }

    /** A-ABORT; {@code source} 0 service user, 2 service provider. */
    public static byte[] abort(int source, int reason) {
        return pdu(PduType.ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
    }

    private static byte[] userInfo(UserInfo u) {
        Out sub = new Out();
        sub.item(SUB_MAX_LENGTH, new Out().u32(u.maxPduLength()).bytes());
        sub.item(SUB_IMPLEMENTATION_CLASS, ascii(u.implementationClassUid()));
        if (u.maxOpsInvoked() > 0 || u.maxOpsPerformed() > 0) {
            sub.item(SUB_ASYNC_OPS, new Out().u16(u.maxOpsInvoked()).u16(u.maxOpsPerformed()).bytes());
        }
        for (RoleSelection role : u.roles()) {
            byte[] uid = ascii(role.sopClass());
            sub.item(SUB_ROLE_SELECTION, new Out().u16(uid.length).raw(uid).u8(role.scu() ? 1 : 0)
                    .u8(role.scp() ? 1 : 0).bytes());
        }
        if (u.implementationVersion() != null) {
            sub.item(SUB_IMPLEMENTATION_VERSION, ascii(u.implementationVersion()));
        }
        if (u.identity() != null) {
            UserIdentity id = u.identity();
            byte[] primary = id.primary();
            byte[] secondary = id.secondary();
            sub.item(SUB_USER_IDENTITY_RQ, new Out().u8(id.type().code()).u8(id.positiveResponseRequested() ? 1 : 0)
                    .u16(primary.length).raw(primary).u16(secondary.length).raw(secondary).bytes());
        }
        if (u.identityResponse() != null) {
            sub.item(SUB_USER_IDENTITY_AC, new Out().u16(u.identityResponse().length).raw(u.identityResponse()).bytes());
        }
        return sub.bytes();
    }

    private static byte[] pdu(int type, byte[] body) {
        return new Out().u8(type).u8(0).u32(body.length).raw(body).bytes();
    }

    // ---- decoding (bodies without the 6-byte PDU header) ----

    public static AssociateRequest decodeRequest(byte[] body) throws ProtocolViolation {
        try {
            Associate a = associate(ByteBuffer.wrap(body), ITEM_PRESENTATION_RQ);
            if (a.context() == null) {
                throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE,
                        "A-ASSOCIATE-RQ has no application context item");
            }
            List<PresentationContext> contexts = new ArrayList<>();
            for (ByteBuffer item : a.presentation()) {
                contexts.add(presentationContext(item));
            }
            return new AssociateRequest(a.version(), a.called(), a.calling(), a.context(), contexts, a.user());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "malformed A-ASSOCIATE-RQ");
        }
    }

    public static AssociateAccept decodeAccept(byte[] body) throws ProtocolViolation {
        try {
            Associate a = associate(ByteBuffer.wrap(body), ITEM_PRESENTATION_AC);
            List<PresentationResult> results = new ArrayList<>();
            for (ByteBuffer item : a.presentation()) {
                results.add(presentationResult(item));
            }
            return new AssociateAccept(a.called(), a.calling(), a.context(), results, a.user());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "malformed A-ASSOCIATE-AC");
        }
    }

    public static AssociateReject decodeReject(byte[] body) throws ProtocolViolation {
        if (body.length < 4) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "malformed A-ASSOCIATE-RJ");
        }
        return new AssociateReject(body[1] & 0xFF, body[2] & 0xFF, body[3] & 0xFF);
    }

    /** What A-ASSOCIATE-RQ and -AC share (PS3.8 9.3.2, 9.3.3); presentation items are left undecoded. */
    private record Associate(int version, String called, String calling, String context,
            List<ByteBuffer> presentation, UserInfo user) {
    }

    private static Associate associate(ByteBuffer b, int presentationItem) {
        int version = b.getShort() & 0xFFFF;
        b.getShort();
        String called = ae(b);
        String calling = ae(b);
        b.position(b.position() + 32);
        String context = null;
        List<ByteBuffer> presentation = new ArrayList<>();
        UserInfo user = NO_USER_INFO;
        while (b.hasRemaining()) {
            int type = b.get() & 0xFF;
            ByteBuffer item = itemValue(b);
            if (type == ITEM_APPLICATION_CONTEXT) {
                context = text(item);
            } else if (type == presentationItem) {
                presentation.add(item);
            } else if (type == ITEM_USER_INFO) {
                user = userInfo(item);
            } // PS3.8 9.3.1: unknown items are ignored
        }
        return new Associate(version, called, calling, context, presentation, user);
    }

    private static PresentationResult presentationResult(ByteBuffer item) {
        int id = item.get() & 0xFF;
        item.get();
        int result = item.get() & 0xFF;
        item.get();
        String ts = null;
        while (item.hasRemaining()) {
            int sub = item.get() & 0xFF;
            ByteBuffer value = itemValue(item);
            if (sub == ITEM_TRANSFER_SYNTAX) {
                ts = text(value);
            }
        }
        return new PresentationResult(id, result, ts);
    }

    private static PresentationContext presentationContext(ByteBuffer item) {
        int id = item.get() & 0xFF;
        item.get();
        item.get();
        item.get();
        String abstractSyntax = null;
        List<String> syntaxes = new ArrayList<>();
        while (item.hasRemaining()) {
            int sub = item.get() & 0xFF;
            ByteBuffer value = itemValue(item);
            if (sub == ITEM_ABSTRACT_SYNTAX) {
                abstractSyntax = text(value);
            } else if (sub == ITEM_TRANSFER_SYNTAX) {
                syntaxes.add(text(value));
            }
        }
        return new PresentationContext(id, abstractSyntax == null ? "" : abstractSyntax, syntaxes);
    }

    private static UserInfo userInfo(ByteBuffer item) {
        long max = 0;
        String implClass = "";
        String implVersion = null;
        int invoked = 0;
        int performed = 0;
        List<RoleSelection> roles = new ArrayList<>();
        UserIdentity identity = null;
        byte[] identityResponse = null;
        while (item.hasRemaining()) {
            int sub = item.get() & 0xFF;
            ByteBuffer value = itemValue(item);
            switch (sub) {
                case SUB_MAX_LENGTH -> max = value.getInt() & 0xFFFF_FFFFL;
                case SUB_IMPLEMENTATION_CLASS -> implClass = text(value);
                case SUB_IMPLEMENTATION_VERSION -> implVersion = text(value);
                case SUB_ASYNC_OPS -> {
                    invoked = value.getShort() & 0xFFFF;
                    performed = value.getShort() & 0xFFFF;
                }
                case SUB_ROLE_SELECTION -> {
                    String uid = text(slice(value, value.getShort() & 0xFFFF));
                    roles.add(new RoleSelection(uid, value.get() == 1, value.get() == 1));
                }
                case SUB_USER_IDENTITY_RQ -> identity = userIdentity(value);
                case SUB_USER_IDENTITY_AC -> identityResponse = bytes(slice(value, value.getShort() & 0xFFFF));
                default -> { }
            }
        }
        return new UserInfo(max, implClass, implVersion, invoked, performed, roles, identity, identityResponse);
    }

    /** PS3.7 D.3.3.7.1; an unknown identity type is ignored (the requestor is then unidentified). */
    private static UserIdentity userIdentity(ByteBuffer value) {
        int code = value.get() & 0xFF;
        boolean positive = value.get() == 1;
        byte[] primary = bytes(slice(value, value.getShort() & 0xFFFF));
        byte[] secondary = value.remaining() >= 2 ? bytes(slice(value, value.getShort() & 0xFFFF)) : new byte[0];
        UserIdentity.Type type = UserIdentity.Type.of(code);
        return type == null ? null : new UserIdentity(type, positive, primary, secondary);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** After an item's type byte: skips the reserved byte and returns the value its 16-bit length announces. */
    private static ByteBuffer itemValue(ByteBuffer b) {
        b.get();
        return slice(b, b.getShort() & 0xFFFF);
    }

    private static ByteBuffer slice(ByteBuffer b, int length) {
        if (length > b.remaining()) {
            throw new IllegalArgumentException("item length beyond its container");
        }
        ByteBuffer s = b.slice();
        s.limit(length);
        b.position(b.position() + length);
        return s;
    }

    private static String ae(ByteBuffer b) {
        byte[] raw = new byte[16];
        b.get(raw);
        return new String(raw, StandardCharsets.US_ASCII).trim();
    }

    private static String text(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == 0 || raw[end - 1] == ' ')) {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.US_ASCII).trim();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A tiny big endian byte builder. */
    private static final class Out {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

        Out u8(int v) {
            out.write(v);
            return this;
        }

        Out u16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Out u32(long v) {
            out.write((int) (v >>> 24));
            out.write((int) (v >>> 16));
            out.write((int) (v >>> 8));
            out.write((int) v);
            return this;
        }

        Out raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Out zeros(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        Out ae(String title) {
            byte[] padded = new byte[16];
            java.util.Arrays.fill(padded, (byte) ' ');
            byte[] raw = ascii(title);
            System.arraycopy(raw, 0, padded, 0, Math.min(16, raw.length));
            return raw(padded);
        }

        Out item(int type, byte[] value) {
            return u8(type).u8(0).u16(value.length).raw(value);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
