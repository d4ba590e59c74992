package dev.tinify.runtime.codecs.vbr;

/**
 * The rate knob of a variable-rate model, in CompressAI's two forms (an index into the trained
 * gains, or the gain itself as {@code inputscale}) plus a fractional index between trained gains.
 * Every form resolves to one gain: the latent is coded with quantization step {@code 1 / gain}.
 */
public sealed interface Rate {
    /** The gain this rate selects among {@code gains} (the trained gains, coarse to fine). */
    float gain(float[] gains);

    /**
     * The position among {@code levels} trained levels (a level index, possibly fractional) for
     * codecs whose levels are gain vectors; a scale has no position.
     */
    double positionAmong(int levels);

    /** Trained gain {@code index} (0-based, CompressAI's {@code s}). */
    static Rate level(int index) {
        return new Level(index);
    }

    /**
     * A fractional index in [0, levels - 1]: between trained gains i and i + 1, the gain is
     * interpolated geometrically ({@code g_i^(1-t) * g_(i+1)^t}), so that equal steps of the index
     * change the quantization step by equal ratios, as the trained gains are spaced. At an integer
     * position it is exactly the trained gain, as {@link #level(int)} gives it.
     */
    static Rate position(double position) {
        return new Position(position);
    }

    /** The gain itself (CompressAI's {@code inputscale}), positive. */
    static Rate scale(double gain) {
        return new Scale(gain);
    }

    /** See {@link #level(int)}. */
    record Level(int index) implements Rate {
        @Override
        public float gain(float[] gains) {
            if (index < 0 || index >= gains.length) {
                throw new IllegalArgumentException("rate level " + index + " is out of range: the model has " + gains.length
                        + " trained gains (levels 0 to " + (gains.length - 1) + ")");
            }
            return gains[index];
        }

        @Override
        public double positionAmong(int levels) {
            return new Position(index).positionAmong(levels);
        }
    }

    /** See {@link #position(double)}. */
    record Position(double position) implements Rate {
        @Override
        public float gain(float[] gains) {
            if (!(position >= 0 && position <= gains.length - 1)) {
                throw new IllegalArgumentException("rate position " + position + " is out of range [0, " + (gains.length - 1) + "]");
            }
            int i = (int) Math.floor(position);
            double t = position - i;
            if (t == 0) {
                return gains[i];
            }
            // StrictMath: an encoder and a decoder on any JVM derive the same gain from the same position.
            return (float) StrictMath.exp((1 - t) * StrictMath.log(gains[i]) + t * StrictMath.log(gains[i + 1]));
        }

        @Override
        public double positionAmong(int levels) {
            if (!(position >= 0 && position <= levels - 1)) {
                throw new IllegalArgumentException("rate position " + position + " is out of range [0, " + (levels - 1) + "]");
            }
            return position;
        }
    }

    /** See {@link #scale(double)}. */
    record Scale(double value) implements Rate {
        public Scale {
            if (!(value > 0) || !Double.isFinite(value) || (float) value == 0f) {
                throw new IllegalArgumentException("a rate scale (gain) must be positive and finite, got " + value);
            }
        }

        @Override
        public float gain(float[] gains) {
            return (float) value;
        }

        @Override
        public double positionAmong(int levels) {
            throw new IllegalArgumentException("this model's rates are its " + levels
                    + " trained gain levels (a level or a fractional position between them), not a scale");
        }
    }
}
