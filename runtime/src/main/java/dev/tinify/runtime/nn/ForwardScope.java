package dev.tinify.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Runs work on a module tree in a sub-manager of the caller's manager, with the module's arrays
 * temporarily attached, so that every intermediate array is freed on {@link #close()} and the
 * model's manager does not grow. Results that must survive are passed to {@link #keep}.
 *
 * <pre>{@code
 * try (ForwardScope s = ForwardScope.open(x.getManager(), model)) {
 *     NDArray out = s.keep(model.forward(x));
 * }
 * }</pre>
 */
public final class ForwardScope implements AutoCloseable {
    private final NDManager caller;
    private final NDManager sub;

    private ForwardScope(NDManager caller, Module module) {
        this.caller = caller;
        this.sub = caller.newSubManager();
        sub.tempAttachAll(module.arrays());
    }

    public static ForwardScope open(NDManager caller, Module module) {
        return new ForwardScope(caller, module);
    }

    /** Temporarily moves inputs into the scope, so that ops whose left operand they are land here. */
    public void input(NDArray... inputs) {
        for (NDArray a : inputs) {
            sub.tempAttachAll(new ai.djl.ndarray.NDList(a));
        }
    }

    /** The scope's manager, for arrays created during the work. */
    public NDManager manager() {
        return sub;
    }

    /** Moves a result to the caller's manager so that it outlives the scope. */
    public NDArray keep(NDArray result) {
        result.attach(caller);
        return result;
    }

    @Override
    public void close() {
        sub.close();
    }
}
