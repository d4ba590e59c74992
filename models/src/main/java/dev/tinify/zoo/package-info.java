/** The model zoo: quality levels, their parameters and lambdas, as the bundled specs declare them. */
@NullMarked
package dev.tinify.zoo;

import org.jspecify.annotations.NullMarked;
