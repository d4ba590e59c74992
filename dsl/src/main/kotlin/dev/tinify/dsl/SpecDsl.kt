@file:JvmName("SpecDsl")

package dev.tinify.dsl

import kotlin.properties.PropertyDelegateProvider
import kotlin.properties.ReadOnlyProperty

/** Marks the receivers of the spec DSL so that inner blocks cannot call outer builders by accident. */
@DslMarker
annotation class SpecDslMarker

/**
 * Builds a [Spec] with Kotlin receiver lambdas and the typed factories of
 * [dev.tinify.dsl.kinds] (`conv`, `gdn`, `hyperprior`, ...); the result equals the spec the YAML
 * reader gives for the same architecture, and parameters stay symbolic.
 *
 * ```kotlin
 * val factorized = spec("bmshj2018-factorized") {
 *     val N by param(128)
 *     val M by param(192)
 *     module("g_a") { +conv(3, N); +gdn(N); +conv(N, M) }
 *     module("g_s") { +deconv(M, N); +igdn(N); +deconv(N, 3) }
 *     latentCodec(entropyBottleneckCodec(module("entropy_bottleneck", entropyBottleneck(M))))
 * }
 * ```
 * Errors name the module path (`g_a[3]`) of the spec built in code.
 */
fun spec(name: String, block: SpecScope.() -> Unit): Spec = SpecScope(name).apply(block).build()

/** A sequence of layers written inline (inside the codec tree or a template). */
fun layers(block: LayersScope.() -> Unit): Node.Seq = Node.Seq(LayersScope().apply(block).items)

/**
 * A graph module: named steps in order, each reading the input `x` or earlier steps, the last one
 * the output (YAML's `graph:`). Each step returns its name for later steps:
 * ```
 * graph {
 *     val scales = apply("scales", layers { +deconv(N, N); +relu() })
 *     val means = apply("means", layers { +deconv(N, N); +relu() })
 *     concat("out", scales, means)
 * }
 * ```
 */
fun graph(block: GraphBuilder.() -> Unit): Node.Graph = SpecBuilder.graph().apply(block).build()

/** A reference to a top-level module, written `$name` in YAML. */
fun ref(name: String): Expr.Ref = Expr.Ref(name)

/** `this * e` with the integer first. */
operator fun Int.times(e: IntExpr): IntExpr = IntExpr.of(Expr.Num(this)).times(e)

/** `this + e` with the integer first. */
operator fun Int.plus(e: IntExpr): IntExpr = IntExpr.of(Expr.Num(this)).plus(e)

/** `this - e` with the integer first. */
operator fun Int.minus(e: IntExpr): IntExpr = IntExpr.of(Expr.Num(this)).minus(e)

/** The top level of a spec. */
@SpecDslMarker
class SpecScope internal constructor(name: String) {
    private val builder = Spec.builder(name)

    /** Free text describing the architecture. */
    fun description(text: String) {
        builder.description(text)
    }

    /** An integer parameter named after the property: `val N by param(128)`. */
    fun param(default: Number): PropertyDelegateProvider<Any?, ReadOnlyProperty<Any?, IntExpr>> =
        PropertyDelegateProvider { _, property ->
            val p = builder.param(property.name, default)
            ReadOnlyProperty { _, _ -> p }
        }

    /** A list parameter named after the property: `val groups by param(listOf(16, 16, 32, 64, M - 128))`. */
    fun param(default: List<Number>): PropertyDelegateProvider<Any?, ReadOnlyProperty<Any?, IntList>> =
        PropertyDelegateProvider { _, property ->
            val p = builder.listParam(property.name, *default.toTypedArray())
            ReadOnlyProperty { _, _ -> p }
        }

    /** The zoo table. */
    fun zoo(block: ZooScope.() -> Unit) {
        ZooScope(builder).block()
    }

    /** A top-level module written as a sequence of layers; returns its `$reference`. */
    fun module(name: String, block: LayersScope.() -> Unit): Expr.Ref = builder.module(name, layers(block))

    /** A top-level module (a layer, an entropy model, a sequence); returns its `$reference`. */
    fun module(name: String, node: Node): Expr.Ref = builder.module(name, node)

    /** The root latent codec. */
    fun latentCodec(codec: Node) {
        builder.latentCodec(codec)
    }

    internal fun build(): Spec = builder.build()
}

/** A sequence of layers: `+conv(3, N)` adds one, `repeat(3) { ... }` a repeated block. */
@SpecDslMarker
class LayersScope internal constructor() {
    internal val items = mutableListOf<Node>()

    /** Adds a layer, a sequence or a `$reference`. */
    operator fun Node.unaryPlus() {
        items.add(this)
    }

    /** The layers of [block], `times` times in a row (`repeat(times, layer)` in YAML). */
    fun repeat(times: Number, block: LayersScope.() -> Unit) {
        val inner = LayersScope().apply(block).items
        items.add(SpecBuilder.repeat(times, if (inner.size == 1) inner[0] else Node.Seq(inner)))
    }
}

/** The `zoo` section. */
@SpecDslMarker
class ZooScope internal constructor(private val builder: SpecBuilder) {
    fun metrics(vararg names: String) {
        builder.metrics(*names)
    }

    /** Parameter values of one quality level. */
    fun quality(level: Int, vararg values: Pair<String, Number>) {
        builder.quality(level, linkedMapOf(*values))
    }

    fun lambda(metric: String, vararg values: Double) {
        builder.lambda(metric, *values)
    }
}

/** 1 when `this > other`, else 0 (`(k > 0)` in a spec). */
infix fun IntExpr.gt(other: Number): IntExpr = this.gt(other)
