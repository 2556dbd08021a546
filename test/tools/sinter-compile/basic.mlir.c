/* The generated header is valid C99 and its prototypes can be called. */
#include "k.h"
void use(const uint16_t *x, const float *s, float *y) { scale_rows(x, s, y); }
