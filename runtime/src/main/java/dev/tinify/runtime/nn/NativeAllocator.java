package dev.tinify.runtime.nn;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;

/**
 * How PyTorch allocates the native memory of arrays in this process: arrays of 2 MiB and more on
 * transparent huge pages ({@code THP_MEM_ALLOC_ENABLE=1}, read by PyTorch once, at its first
 * allocation). Without them, every large array is a fresh mapping whose 4 KiB pages fault in one
 * by one: on a 768x512 frame more than half the CPU time of a video encode went to the kernel
 * (VideoCodecBenchmark, one thread: 9.7 s per encode, 3.4 s with huge pages).
 *
 * <p>{@link #configure} sets the variable in the process environment unless it is set already
 * (an explicit {@code THP_MEM_ALLOC_ENABLE=0} wins). It must run before the first array exists:
 * the model builder and the command line call it; a program that makes arrays on its own before
 * building a model can export the variable instead. Linux only (elsewhere nothing happens).
 */
public final class NativeAllocator {
    /** The variable PyTorch's CPU allocator reads. */
    public static final String HUGE_PAGES = "THP_MEM_ALLOC_ENABLE";

    private NativeAllocator() {}

    /** libc's {@code setenv}: the JVM cannot change its own environment otherwise. */
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private static final boolean CONFIGURED = setUp();

    /**
     * Asks for huge pages before PyTorch's first allocation; idempotent and safe to call from any
     * thread (the work happens once, in the class initializer, which the JVM runs under a lock).
     * Returns whether the variable was set here or already present.
     */
    public static boolean configure() {
        return CONFIGURED;
    }

    private static boolean setUp() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return false;
        }
        try {
            return Native.load("c", LibC.class).setenv(HUGE_PAGES, "1", 0) == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // Only a speed-up: without libc through JNA, arrays use ordinary pages.
            return false;
        }
    }
}
