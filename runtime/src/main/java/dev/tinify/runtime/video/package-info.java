/**
 * Video coding with scale-space flow (Agustsson et al., CVPR 2020; CompressAI's
 * {@code ScaleSpaceFlow}, {@code ssf2020}): the Gaussian scale-space volume of a reference frame
 * ({@link dev.tinify.runtime.video.ScaleSpace}), trilinear warping of that volume by a flow and a
 * scale field ({@link dev.tinify.runtime.video.VolumeWarp}), the mean-scale hyperprior each of the
 * three codecs uses ({@link dev.tinify.runtime.video.VideoHyperprior}) and the model that ties
 * keyframe, motion and residual coding together ({@link dev.tinify.runtime.video.ScaleSpaceFlow}).
 */
@NullMarked
package dev.tinify.runtime.video;

import org.jspecify.annotations.NullMarked;
