/**
 * The model zoo: quality levels, their parameters and lambdas, as the bundled specs declare them;
 * the weights shipped for them and their export from training runs.
 */
@NullMarked
package dev.tinify.zoo;

import org.jspecify.annotations.NullMarked;
