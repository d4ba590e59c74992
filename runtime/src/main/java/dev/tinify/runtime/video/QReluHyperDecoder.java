package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.QRelu;

/**
 * CompressAI's {@code HyperDecoderWithQReLU}: three ×2 transposed convolutions named
 * {@code deconv1..3}, each followed by a QReLU (8 bits, β = 100) that keeps the predicted scales in
 * [0, 255].
 */
final class QReluHyperDecoder extends LayerModule {
    private final ConvTranspose2d[] deconvs = new ConvTranspose2d[3];
    private final QRelu qrelu = new QRelu(8, 100);
    private final int planes;

    QReluHyperDecoder(NDManager manager, int planes) {
        this.planes = planes;
        for (int i = 0; i < deconvs.length; i++) {
            deconvs[i] = child("deconv" + (i + 1), new ConvTranspose2d(manager, planes, planes, 5, 2));
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray cur = x;
        for (ConvTranspose2d d : deconvs) {
            cur = pipe(cur, d, qrelu);
        }
        return cur;
    }

    @Override
    public int inChannels() {
        return planes;
    }

    @Override
    public int outChannels(int inChannels) {
        return planes;
    }

    @Override
    public int upsampling() {
        return 8;
    }

    @Override
    public String describe() {
        return "HyperDecoderWithQReLU(" + planes + ")";
    }
}
