package dev.harmony.dicom.middleware;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.UserIdentity;
import dev.harmony.message.Attribute;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * Admits associations whose user identity (PS3.7 D.3.3.7) a callback accepts: user name and passcode
 * (DCMTK {@code storescu --user U --password P}), or a user name alone. A requestor without one, or
 * with another identity type, is refused; on the {@code A-ASSOCIATE} exchange that is an A-ASSOCIATE-RJ
 * (rejected-permanent, source ACSE service provider). For JWT identities use {@code JwtAuth} from
 * harmony-http: the listener hands it the token as the {@code Authorization: Bearer} credential it
 * checks for HTTP.
 *
 * <pre>{@code
 * UserIdentityCheck.passcodes((user, passcode) -> directory.verify(user, passcode)).build()
 * }</pre>
 *
 * <p>The callback runs for every exchange of the association (the identity is on each), so keep it
 * cheap or cache inside it. On success {@link Attribute#PRINCIPAL} is the user name.
 */
public final class UserIdentityCheck implements Middleware {
    private final BiPredicate<String, String> check;
    private final boolean passcodeRequired;

    private UserIdentityCheck(BiPredicate<String, String> check, boolean passcodeRequired) {
        this.check = check;
        this.passcodeRequired = passcodeRequired;
    }

    /** Requires user name and passcode (identity type 2) that {@code check} accepts. */
    public static Builder passcodes(BiPredicate<String, String> check) {
        return new Builder(Objects.requireNonNull(check, "UserIdentityCheck.passcodes"), true);
    }

    /** Requires a user name (identity type 1, or type 2 whose passcode is then ignored) that {@code check} accepts. */
    public static Builder usernames(Predicate<String> check) {
        Objects.requireNonNull(check, "UserIdentityCheck.usernames");
        return new Builder((user, passcode) -> check.test(user), false);
    }

    /** A {@link UserIdentityCheck} to be built; there are no further options yet. */
    public static final class Builder {
        private final BiPredicate<String, String> check;
        private final boolean passcodeRequired;

        private Builder(BiPredicate<String, String> check, boolean passcodeRequired) {
            this.check = check;
            this.passcodeRequired = passcodeRequired;
        }

        /** The check. */
        public UserIdentityCheck build() {
            return new UserIdentityCheck(check, passcodeRequired);
        }
    }

    @Override
    public Response intercept(Chain chain) {
        Request request = chain.request();
        UserIdentity identity = request.attribute(DicomAttributes.USER_IDENTITY).orElse(null);
        if (identity == null) {
            return Response.rejected(Rejection.unauthenticated("a user identity is required"));
        }
        boolean withPasscode = identity.type() == UserIdentity.Type.USERNAME_PASSCODE;
        if (!(withPasscode || (!passcodeRequired && identity.type() == UserIdentity.Type.USERNAME))) {
            return Response.rejected(Rejection.unauthenticated("user identity type " + identity.type()
                    + " is not accepted here" + (passcodeRequired ? "; send user name and passcode" : "")));
        }
        String user = identity.primaryText();
        if (user.isEmpty() || !check.test(user, withPasscode ? identity.passcode() : null)) {
            // Never say which of the two was wrong.
            return Response.rejected(Rejection.unauthenticated("user identity not accepted"));
        }
        return chain.proceed(request.with(Attribute.PRINCIPAL, user));
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("User Identity Check", passcodeRequired ? "user name + passcode" : "user name");
    }
}
