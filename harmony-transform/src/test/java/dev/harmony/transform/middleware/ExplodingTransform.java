package dev.harmony.transform.middleware;

import com.bazaarvoice.jolt.Transform;
import java.util.Map;

/** A custom JOLT transform (referenced by class name from a spec) that fails on inputs asking for it. */
public class ExplodingTransform implements Transform {
    @Override
    public Object transform(Object input) {
        if (input instanceof Map<?, ?> m && m.containsKey("explode")) {
            throw new IllegalStateException("cannot handle field 'explode'");
        }
        return input;
    }
}
