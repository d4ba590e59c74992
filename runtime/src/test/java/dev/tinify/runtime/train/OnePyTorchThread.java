package dev.tinify.runtime.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with PyTorch on one thread, restoring the thread count after it: the tensors
 * of the training tests are small, and on a busy machine OpenMP's barriers between 2 threads cost
 * more than they save. Use with {@code @ExtendWith(OnePyTorchThread.class)}.
 */
final class OnePyTorchThread implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(OnePyTorchThread.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Engine.getInstance();
        context.getStore(NS).put("threads", JniUtils.getNumThreads());
        JniUtils.setNumThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        JniUtils.setNumThreads(context.getStore(NS).get("threads", Integer.class));
    }
}
