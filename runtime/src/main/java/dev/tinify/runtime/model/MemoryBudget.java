package dev.tinify.runtime.model;

import dev.tinify.dsl.Resolver;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The memory a job may take, checked before anything is allocated for it: a model's parameters
 * when it is built, an image's activations before it is coded. The budget is the system property
 * {@value #PROPERTY} or the environment variable {@value #ENV} (bytes, or with a k, m or g
 * suffix), else half of the machine's physical memory. A job over budget is refused with how much
 * it needs, why, and what would make it fit, instead of dying in the allocator.
 */
public final class MemoryBudget {
    /** System property setting the budget, e.g. {@code 8g}. */
    public static final String PROPERTY = "tinify.memory";
    /** Environment variable setting the budget when the property is not set. */
    public static final String ENV = "TINIFY_MEMORY";
    /** Bytes per float value. */
    private static final long FLOAT = 4;
    /**
     * Live copies of the largest activation while a layer runs: its input and output, plus the
     * temporaries of the heavier layers (GDN's square and norm, attention's branches).
     */
    private static final long ACTIVATION_COPIES = 3;
    /** Refinement's memory over coding's (see {@link #checkRefinement}). */
    private static final long REFINEMENT_FACTOR = 4;

    private MemoryBudget() {}

    /** A job that does not fit the budget; the message says how much, why, and what would fit. */
    public static final class Exceeded extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message);
        }
    }

    /** The budget in bytes. */
    public static long limit() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        if (v != null && !v.isBlank()) {
            return parse(v.strip());
        }
        return physicalMemory() / 2;
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    static long parse(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = s.endsWith("k") ? 1L << 10 : s.endsWith("m") ? 1L << 20 : s.endsWith("g") ? 1L << 30 : 1;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(PROPERTY + "=" + v + ": expected a positive size such as 8g, 512m or 1073741824");
        }
    }

    /**
     * Refuses a job of {@code bytes} over the budget.
     *
     * @param what the job, e.g. "bmshj2018-hyperprior {N=128} parameters"
     * @param why what the bytes hold
     * @param fit what would make it fit (besides a larger budget)
     */
    public static void check(String what, long bytes, String why, String fit) {
        long limit = limit();
        if (bytes > limit) {
            throw new Exceeded(what + " needs about " + size(bytes) + " (" + why + "), more than the memory budget of " + size(limit)
                    + "; " + fit + ", or raise the budget with -D" + PROPERTY + "=SIZE or " + ENV + "=SIZE");
        }
    }

    /**
     * Checks the parameters of a resolved spec before they are allocated: every layer with input
     * and output channels holds about {@code in x out x kernel^2} floats.
     */
    public static void checkParameters(Resolver.Resolved r) {
        long bytes = 0;
        for (Resolver.Part p : r.modules().values()) {
            bytes = add(bytes, parameterBytes(p));
        }
        bytes = add(bytes, parameterBytes(r.latentCodec()));
        check(r.spec().name() + " " + r.params(), bytes, "its parameters", "use smaller channel counts (--set N=..., M=...)");
    }

    private static long parameterBytes(Resolver.Part p) {
        long bytes = 0;
        if (p.in() != null && p.out() != null) {
            long k = p.args().get("kernel_size") instanceof Long l ? Math.max(1, l) : 1;
            bytes = mul(mul(mul(p.in(), p.out()), mul(k, k)), FLOAT);
        }
        for (Resolver.Part item : p.items()) {
            bytes = add(bytes, parameterBytes(item));
        }
        for (Object v : p.args().values()) {
            if (v instanceof Resolver.Part child && child.ref() == null) {
                bytes = add(bytes, parameterBytes(child));
            } else if (v instanceof java.util.Map<?, ?> parts) {
                for (Object o : parts.values()) {
                    if (o instanceof Resolver.Part child && child.ref() == null) {
                        bytes = add(bytes, parameterBytes(child));
                    }
                }
            }
        }
        return bytes;
    }

    /**
     * Checks coding one padded image of {@code height x width} with {@code model}: the largest
     * activation of the analysis transform (a layer's input and output, times the temporaries a
     * layer keeps), which the synthesis transform mirrors. Callers that split an image into tiles
     * call it per tile.
     */
    public static void checkImage(CompressionModel model, long height, long width) {
        check(model.name() + " on a " + height + "x" + width + " image (padded)", imageBytes(model.resolved(), height, width),
                "its largest activations", "use a smaller image or a smaller model");
    }

    /**
     * Checks coding a cloud of {@code points} points with a point-cloud model: its per-point
     * layers hold channels x points values, counted as for a one-pixel-high image.
     */
    public static void checkPoints(CompressionModel model, long points) {
        check(model.name() + " on " + points + " points", imageBytes(model.resolved(), 1, points), "its largest activations",
                "use fewer points or a smaller model");
    }

    /**
     * Checks refining the latent of one padded image of {@code height x width} before coding it: a
     * refinement step keeps the activations of the synthesis and hyper transforms for its backward
     * pass, about {@value #REFINEMENT_FACTOR} times what {@link #checkImage} counts.
     */
    public static void checkRefinement(CompressionModel model, long height, long width) {
        check("refining the latent of " + model.name() + " on a " + height + "x" + width + " image (padded)",
                mul(imageBytes(model.resolved(), height, width), REFINEMENT_FACTOR),
                "the activations a backward pass keeps", "use a smaller image, a smaller model or no refinement");
    }

    static long imageBytes(Resolver.Resolved r, long height, long width) {
        long pixels = mul(height, width);
        long peak = mul(mul(3, pixels), FLOAT);
        Resolver.Part ga = r.modules().get("g_a");
        if (ga != null) {
            long stride = 1;
            Integer channels = 3;
            for (Resolver.Part p : ga.isSequence() ? ga.items() : java.util.List.of(ga)) {
                long before = pixels / mul(stride, stride);
                stride = mul(stride, Math.max(1, p.stride()));
                long after = pixels / mul(stride, stride);
                int in = p.in() != null ? p.in() : channels;
                int out = p.out() != null ? p.out() : in;
                channels = out;
                peak = Math.max(peak, add(mul(mul(in, before), FLOAT), mul(mul(out, Math.max(after, 1)), FLOAT)));
            }
        }
        return mul(peak, ACTIVATION_COPIES);
    }

    private static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private static long mul(long a, long b) {
        return a != 0 && Math.abs(b) > Long.MAX_VALUE / Math.abs(a) ? Long.MAX_VALUE : a * b;
    }

    /** Bytes as a person reads them: 4.0 GB, 512 MB. */
    static String size(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 9 EB";
        }
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%d MB", (bytes + (1 << 20) - 1) >> 20);
    }
}
