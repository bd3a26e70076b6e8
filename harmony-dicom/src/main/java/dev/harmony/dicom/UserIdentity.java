package dev.harmony.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The user identity an association requestor sent (PS3.7 D.3.3.7, user identity negotiation). A
 * {@code DicomScp} puts it on every exchange of the association as {@link DicomAttributes#USER_IDENTITY};
 * a JWT also travels as an {@code Authorization: Bearer} header, the protocol-neutral credential the
 * HTTP auth guard reads, so one {@code JwtAuth} guards both protocols.
 *
 * @param type what the fields hold
 * @param positiveResponseRequested whether the requestor wants the A-ASSOCIATE-AC to confirm it
 * @param primary user name (UTF-8), Kerberos ticket, SAML assertion or JWT
 * @param secondary the passcode (type {@link Type#USERNAME_PASSCODE}), else empty
 */
public record UserIdentity(Type type, boolean positiveResponseRequested, byte[] primary, byte[] secondary) {
    /** User identity types (PS3.7 table D.3-14); the code is the wire value. */
    public enum Type {
        USERNAME(1), USERNAME_PASSCODE(2), KERBEROS(3), SAML(4), JWT(5);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The type for a wire value, or null if unknown. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public UserIdentity {
        Objects.requireNonNull(type, "type");
        primary = primary.clone();
        secondary = secondary == null ? new byte[0] : secondary.clone();
    }

    @Override
    public byte[] primary() {
        return primary.clone();
    }

    @Override
    public byte[] secondary() {
        return secondary.clone();
    }

    /** The primary field as UTF-8 text (user name, JWT, SAML). */
    public String primaryText() {
        return new String(primary, StandardCharsets.UTF_8);
    }

    /** The passcode as UTF-8 text (empty unless {@link Type#USERNAME_PASSCODE}). */
    public String passcode() {
        return new String(secondary, StandardCharsets.UTF_8);
    }

    /** Never shows the passcode or a token. */
    @Override
    public String toString() {
        return "UserIdentity(" + type + (type == Type.USERNAME || type == Type.USERNAME_PASSCODE
                ? ", user " + primaryText() : ", " + primary.length + " bytes") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserIdentity u && u.type == type && u.positiveResponseRequested == positiveResponseRequested
                && java.util.Arrays.equals(u.primary, primary) && java.util.Arrays.equals(u.secondary, secondary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, positiveResponseRequested, java.util.Arrays.hashCode(primary),
                java.util.Arrays.hashCode(secondary));
    }
}
