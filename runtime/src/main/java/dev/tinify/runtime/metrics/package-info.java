/** Quality and rate metrics computed as CompressAI's evaluation does: PSNR, MS-SSIM, bpp. */
@NullMarked
package dev.tinify.runtime.metrics;

import org.jspecify.annotations.NullMarked;
