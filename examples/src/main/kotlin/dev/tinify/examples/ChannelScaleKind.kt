@file:JvmName("ChannelScaleKind")

package dev.tinify.examples

import dev.tinify.dsl.Kind
import dev.tinify.dsl.KindProvider
import dev.tinify.dsl.Kinds.ArgType.FLOAT
import dev.tinify.dsl.Kinds.ArgType.INT
import dev.tinify.dsl.Node

// A layer kind Tinify does not have, declared by this jar: a learned per-channel scale.

@JvmField
val CHANNEL_SCALE: Kind = Kind.layer("channel_scale", "(example) y = x * scale[c], scale learned per channel")
    .required("channels", INT).optional("init", FLOAT, "1.0")
    .channels("channels", "channels").build()

/** A [CHANNEL_SCALE] call; a null argument is not written (its declared default applies). */
@JvmOverloads
fun channelScale(channels: Number, init: Number? = null): Node.Call = CHANNEL_SCALE.call(channels, init)

/** Registers [CHANNEL_SCALE] with the catalog (listed in META-INF/services/dev.tinify.dsl.KindProvider). */
class ExampleKinds : KindProvider {
    override fun kinds(): List<Kind> = listOf(CHANNEL_SCALE)
}
