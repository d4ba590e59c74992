@file:JvmName("EntropyModels")

package dev.tinify.dsl.kinds

import dev.tinify.dsl.Kind
import dev.tinify.dsl.KindProvider
import dev.tinify.dsl.Node
import dev.tinify.dsl.Kinds.ArgType.FLOAT
import dev.tinify.dsl.Kinds.ArgType.INT
import dev.tinify.dsl.Kinds.ArgType.INT_LIST

// The entropy models; they appear where layers do (top-level modules, parts of latent codecs).

@JvmField
val ENTROPY_BOTTLENECK: Kind = Kind.layer("entropy_bottleneck", "compressai.entropy_models.EntropyBottleneck")
    .required("channels", INT).optional("tail_mass", FLOAT, "1e-9").optional("init_scale", FLOAT, "10.0")
    .optional("filters", INT_LIST, "[3, 3, 3, 3]")
    .channels("channels", "channels").build()

/** An [ENTROPY_BOTTLENECK] call; a null argument is not written (its declared default applies). */
@JvmOverloads
fun entropyBottleneck(channels: Number, tailMass: Number? = null, initScale: Number? = null, filters: List<Number>? = null): Node.Call =
    ENTROPY_BOTTLENECK.call(channels, tailMass, initScale, filters)

@JvmField
val GAUSSIAN_CONDITIONAL: Kind = Kind.layer("gaussian_conditional", "compressai.entropy_models.GaussianConditional")
    .optional("scale_bound", FLOAT, "0.11").optional("tail_mass", FLOAT, "1e-9").build()

/** A [GAUSSIAN_CONDITIONAL] call; a null argument is not written (its declared default applies). */
@JvmOverloads
fun gaussianConditional(scaleBound: Number? = null, tailMass: Number? = null): Node.Call =
    GAUSSIAN_CONDITIONAL.call(scaleBound, tailMass)

@JvmField
val GAUSSIAN_MIXTURE_CONDITIONAL: Kind = Kind.layer("gaussian_mixture_conditional", "compressai.entropy_models.GaussianMixtureConditional")
    .optional("K", INT, "3").optional("scale_bound", FLOAT, "0.11").optional("tail_mass", FLOAT, "1e-9").build()

/** A [GAUSSIAN_MIXTURE_CONDITIONAL] call; a null argument is not written (its declared default applies). */
@JvmOverloads
fun gaussianMixtureConditional(k: Number? = null, scaleBound: Number? = null, tailMass: Number? = null): Node.Call =
    GAUSSIAN_MIXTURE_CONDITIONAL.call(k, scaleBound, tailMass)

@JvmField
val ENTROPY_BOTTLENECK_VBR: Kind = Kind.layer("entropy_bottleneck_vbr",
    "compressai.entropy_models.EntropyBottleneckVbr (adjustable quantization step; parameters _matrixI, _biasI, _factorI)")
    .required("channels", INT).optional("tail_mass", FLOAT, "1e-9").optional("init_scale", FLOAT, "10.0")
    .optional("filters", INT_LIST, "[3, 3, 3, 3]")
    .channels("channels", "channels").build()

/** An [ENTROPY_BOTTLENECK_VBR] call; a null argument is not written (its declared default applies). */
@JvmOverloads
fun entropyBottleneckVbr(channels: Number, tailMass: Number? = null, initScale: Number? = null, filters: List<Number>? = null): Node.Call =
    ENTROPY_BOTTLENECK_VBR.call(channels, tailMass, initScale, filters)

/** Registers the entropy model kinds with the catalog. */
class EntropyModelKinds : KindProvider {
    override fun kinds(): List<Kind> = listOf(ENTROPY_BOTTLENECK, ENTROPY_BOTTLENECK_VBR, GAUSSIAN_CONDITIONAL, GAUSSIAN_MIXTURE_CONDITIONAL)
}
