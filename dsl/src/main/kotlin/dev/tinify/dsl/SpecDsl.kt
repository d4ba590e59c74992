@file:JvmName("SpecDsl")

package dev.tinify.dsl

/** Marks the receivers of the spec DSL so that inner blocks cannot call outer builders by accident. */
@DslMarker
annotation class SpecDslMarker

/**
 * Builds a [Spec] with Kotlin receiver lambdas; the result equals the spec the YAML reader gives
 * for the same architecture.
 *
 * ```kotlin
 * val factorized = spec("bmshj2018-factorized") {
 *     params("N" to 128, "M" to 192)
 *     modules {
 *         "g_a" { "conv"(3, "N", 5, 2); "gdn"("N"); "conv"("N", "M", 5, 2) }
 *         "entropy_bottleneck"(layer("entropy_bottleneck", "M"))
 *     }
 *     latentCodec("entropy_bottleneck", ref("entropy_bottleneck"))
 * }
 * ```
 * Arguments are positional values or `"name" to value` pairs; strings are spec expressions.
 */
fun spec(name: String, block: SpecScope.() -> Unit): Spec = SpecScope(name).apply(block).build()

/** A layer call, e.g. `layer("conv", 3, "N", "stride" to 1)`. */
fun layer(kind: String, vararg args: Any): Node.Call = SpecBuilder.layer(kind, *named(args))

/** A latent codec call, e.g. `codec("hyper", ref("entropy_bottleneck"), ref("h_a"), ref("h_s"))`. */
fun codec(kind: String, vararg args: Any): Node.Call = SpecBuilder.codec(kind, *named(args))

/** A reference to a top-level module, written `$name` in YAML. */
fun ref(name: String): Expr.Ref = SpecBuilder.ref(name)

/** A sequence of layers. */
fun layers(block: LayersScope.() -> Unit): Node.Seq = SpecBuilder.seq(LayersScope().apply(block).items)

private fun named(args: Array<out Any>): Array<Any> =
    args.map { if (it is Pair<*, *>) SpecBuilder.arg(it.first as String, it.second!!) else it }.toTypedArray()

/** The top level of a spec. */
@SpecDslMarker
class SpecScope internal constructor(name: String) {
    private val builder = Spec.builder(name)

    /** Free text describing the architecture. */
    fun description(text: String) {
        builder.description(text)
    }

    /** Parameters with their defaults: numbers, lists or expression strings. */
    fun params(vararg values: Pair<String, Any>) {
        values.forEach { builder.param(it.first, it.second) }
    }

    /** The zoo table. */
    fun zoo(block: ZooScope.() -> Unit) {
        ZooScope(builder).block()
    }

    /** Top-level modules. */
    fun modules(block: ModulesScope.() -> Unit) {
        ModulesScope(builder).block()
    }

    /** The root latent codec. */
    fun latentCodec(kind: String, vararg args: Any) {
        builder.latentCodec(codec(kind, *args))
    }

    internal fun build(): Spec = builder.build()
}

/** The `modules` section: `"g_a" { ... }` for a sequence, `"name"(node)` for a single module. */
@SpecDslMarker
class ModulesScope internal constructor(private val builder: SpecBuilder) {
    operator fun String.invoke(block: LayersScope.() -> Unit) {
        builder.module(this, layers(block))
    }

    operator fun String.invoke(node: Node) {
        builder.module(this, node)
    }
}

/** A sequence of layers: each `"kind"(args...)` adds one. */
@SpecDslMarker
class LayersScope internal constructor() {
    internal val items = mutableListOf<Node>()

    operator fun String.invoke(vararg args: Any) {
        items.add(layer(this, *args))
    }

    /** Adds an already built layer or sequence. */
    fun add(node: Node) {
        items.add(node)
    }
}

/** The `zoo` section. */
@SpecDslMarker
class ZooScope internal constructor(private val builder: SpecBuilder) {
    fun metrics(vararg names: String) {
        builder.metrics(*names)
    }

    /** Parameter values of one quality level. */
    fun quality(level: Int, vararg values: Pair<String, Any>) {
        builder.quality(level, linkedMapOf(*values))
    }

    fun lambda(metric: String, vararg values: Double) {
        builder.lambda(metric, *values)
    }
}
