/**
 * Video coding with scale-space flow (Agustsson et al., CVPR 2020; CompressAI's
 * {@code ScaleSpaceFlow}, {@code ssf2020}), as the implementations of the video kinds a spec
 * composes: the Gaussian scale-space volume of a reference frame
 * ({@link dev.tinify.runtime.video.GaussianVolume}, {@link dev.tinify.runtime.video.ScaleSpace}),
 * trilinear warping of that volume by a flow and a scale field
 * ({@link dev.tinify.runtime.video.VolumeWarp}), the mean-scale hyperprior each of the three codecs
 * uses ({@link dev.tinify.runtime.video.VideoHyperprior}) and the frame codec that ties keyframe,
 * motion and residual coding together ({@link dev.tinify.runtime.video.ScaleSpaceFlow}); a compiled
 * video spec is a {@link dev.tinify.runtime.video.VideoModel}, coded clip by clip by
 * {@link dev.tinify.runtime.video.ClipCoder}.
 */
@NullMarked
package dev.tinify.runtime.video;

import org.jspecify.annotations.NullMarked;
