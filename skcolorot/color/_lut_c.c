/* The compiled colour pass of skcolorot: tetrahedral interpolation of a 3D LUT
 * at every pixel, and the colour histogram a fit is summarised by.
 *
 * Plain C on the buffer protocol (no numpy headers, so nothing but a C
 * compiler is needed to build it). Every function works on a range of pixels
 * and releases the GIL, so that Python threads split an image by rows; the
 * arithmetic follows the numpy path of skcolorot.color._lut operation by
 * operation (same work precision, same tie rules), so both give the same
 * colours up to float rounding.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* The dtype of a buffer: 'B' uint8, 'H' uint16, 'f' float32, 'd' float64, or 0. */
static char
buffer_kind(const Py_buffer *view)
{
    const char *format = view->format ? view->format : "B";
    while (*format == '@' || *format == '=' || *format == '<') {
        format++;
    }
    if (format[0] == 0 || format[1] != 0) {
        return 0;
    }
    switch (format[0]) {
    case 'B': return view->itemsize == 1 ? 'B' : 0;
    case 'H': return view->itemsize == 2 ? 'H' : 0;
    case 'f': return view->itemsize == 4 ? 'f' : 0;
    case 'd': return view->itemsize == 8 ? 'd' : 0;
    default: return 0;
    }
}

/* One tetrahedral lookup: the cell's base node, the fractions within the cell.
 * Corners and weights exactly as _tetrahedra in _lut.py (ties: r, g, b for the
 * largest fraction, b, g, r for the smallest). */
#define TETRAHEDRAL(TYPE, T, base, fr, fg, fb, sr, sg, out)                    \
    TETRAHEDRAL_WITH(TYPE, BLEND3, T, base, fr, fg, fb, sr, sg, out)

#define BLEND3(T, i0, i1, i2, i3, w0, w1, w2, w3, out)                         \
    do {                                                                       \
        for (int c = 0; c < 3; c++) {                                          \
            (out)[c] = (T)[3 * (i0) + c] * (w0);                               \
            (out)[c] += (T)[3 * (i1) + c] * (w1);                              \
            (out)[c] += (T)[3 * (i2) + c] * (w2);                              \
            (out)[c] += (T)[3 * (i3) + c] * (w3);                              \
        }                                                                      \
    } while (0)

#define TETRAHEDRAL_WITH(TYPE, BLEND, T, base, fr, fg, fb, sr, sg, out)        \
    do {                                                                       \
        int r_ge_g = (fr) >= (fg), r_ge_b = (fr) >= (fb), g_ge_b = (fg) >= (fb); \
        Py_ssize_t largest = (r_ge_g && r_ge_b) ? (sr) : (g_ge_b ? (sg) : 1);  \
        Py_ssize_t smallest = (g_ge_b && r_ge_b) ? 1 : (r_ge_g ? (sg) : (sr)); \
        TYPE high = (fr) > (fg) ? (fr) : (fg);                                 \
        TYPE low = (fr) < (fg) ? (fr) : (fg);                                  \
        TYPE middle = (fb) < high ? (fb) : high;                               \
        middle = low > middle ? low : middle;                                  \
        high = (fb) > high ? (fb) : high;                                      \
        low = (fb) < low ? (fb) : low;                                         \
        TYPE w0 = 1 - high, w1 = high - middle, w2 = middle - low, w3 = low;   \
        Py_ssize_t diagonal = (sr) + (sg) + 1;                                 \
        BLEND(T, (base), (base) + largest, (base) + diagonal - smallest,       \
              (base) + diagonal, w0, w1, w2, w3, out);                         \
    } while (0)

/* The float32 tables are padded to 4 values a node, so that a node is one SSE /
 * NEON vector where the compiler has vector extensions (GCC, Clang); the sum
 * runs in the same order per lane as the scalar loop, so results are equal. */
#if defined(__GNUC__)
typedef float v4f __attribute__((vector_size(16)));
static inline v4f
load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}
#define BLEND4(T, i0, i1, i2, i3, w0, w1, w2, w3, out)                         \
    do {                                                                       \
        v4f m = load4((T) + 4 * (i0)) * (w0);                                  \
        m += load4((T) + 4 * (i1)) * (w1);                                     \
        m += load4((T) + 4 * (i2)) * (w2);                                     \
        m += load4((T) + 4 * (i3)) * (w3);                                     \
        (out)[0] = m[0];                                                       \
        (out)[1] = m[1];                                                       \
        (out)[2] = m[2];                                                       \
    } while (0)
#else
#define BLEND4(T, i0, i1, i2, i3, w0, w1, w2, w3, out)                         \
    do {                                                                       \
        for (int c = 0; c < 3; c++) {                                          \
            float m = (T)[4 * (i0) + c] * (w0);                                \
            m += (T)[4 * (i1) + c] * (w1);                                     \
            m += (T)[4 * (i2) + c] * (w2);                                     \
            m += (T)[4 * (i3) + c] * (w3);                                     \
            (out)[c] = m;                                                      \
        }                                                                      \
    } while (0)
#endif

/* Round half to even (numpy's rint) without a libm call: adding and taking away
 * 2**23 rounds a float in [0, 2**23) in the default rounding mode. Callers clip
 * to [0, top] first, so the integer conversion is exact. */
static inline float
round_clip(float v, float top)
{
    if (!(v > 0.0f)) {
        return 0.0f;
    }
    if (v >= top) {
        return top;
    }
    float shifted = v + 8388608.0f;
    return shifted - 8388608.0f;
}

/* uint8: per-level cell and fraction tables, as the numpy path builds them. */
static void
tetrahedral_u8(const uint8_t *src, uint8_t *dst, Py_ssize_t start, Py_ssize_t stop,
               int channels, const float *table, Py_ssize_t n)
{
    Py_ssize_t cell[256];
    float fraction[256];
    double step = (double)(n - 1) / 255.0;
    for (int level = 0; level < 256; level++) {
        double position = level * step;
        double c = floor(position);
        if (c > n - 2) {
            c = (double)(n - 2);
        }
        cell[level] = (Py_ssize_t)c;
        fraction[level] = (float)(position - c);
    }
    Py_ssize_t sr = n * n, sg = n;
    for (Py_ssize_t i = start; i < stop; i++) {
        const uint8_t *p = src + i * channels;
        uint8_t *q = dst + i * channels;
        Py_ssize_t base = cell[p[0]] * sr + cell[p[1]] * sg + cell[p[2]];
        float fr = fraction[p[0]], fg = fraction[p[1]], fb = fraction[p[2]];
        float mapped[3];
        TETRAHEDRAL_WITH(float, BLEND4, table, base, fr, fg, fb, sr, sg, mapped);
        for (int c = 0; c < 3; c++) {
            q[c] = (uint8_t)round_clip(mapped[c] * 255.0f, 255.0f);
        }
        if (channels == 4) {
            q[3] = p[3];
        }
    }
}

/* Cell (clipped to the grid, so outside colours continue the boundary cell) and
 * fraction of a coordinate in node units. */
#define LOCATE(TYPE, FLOOR, x, n, cell_out, fraction_out)                     \
    do {                                                                       \
        TYPE cell_ = FLOOR(x);                                                 \
        if (!(cell_ >= 0)) cell_ = 0;                                          \
        if (cell_ > (TYPE)((n) - 2)) cell_ = (TYPE)((n) - 2);                  \
        (cell_out) = (Py_ssize_t)cell_;                                        \
        (fraction_out) = (x) - cell_;                                          \
    } while (0)

static void
tetrahedral_u16(const uint16_t *src, uint16_t *dst, Py_ssize_t start, Py_ssize_t stop,
                int channels, const float *table, Py_ssize_t n)
{
    float scale = (float)((double)(n - 1) / 65535.0);
    Py_ssize_t sr = n * n, sg = n;
    for (Py_ssize_t i = start; i < stop; i++) {
        const uint16_t *p = src + i * channels;
        uint16_t *q = dst + i * channels;
        Py_ssize_t cr, cg, cb;
        float fr, fg, fb, mapped[3];
        float xr = (float)p[0] * scale, xg = (float)p[1] * scale, xb = (float)p[2] * scale;
        LOCATE(float, floorf, xr, n, cr, fr);
        LOCATE(float, floorf, xg, n, cg, fg);
        LOCATE(float, floorf, xb, n, cb, fb);
        Py_ssize_t base = cr * sr + cg * sg + cb;
        TETRAHEDRAL_WITH(float, BLEND4, table, base, fr, fg, fb, sr, sg, mapped);
        for (int c = 0; c < 3; c++) {
            q[c] = (uint16_t)round_clip(mapped[c] * 65535.0f, 65535.0f);
        }
        if (channels == 4) {
            q[3] = p[3];
        }
    }
}

#define DEFINE_TETRAHEDRAL_FLOAT(NAME, TYPE, FLOOR, BLEND)                      \
    static void NAME(const TYPE *src, TYPE *dst, Py_ssize_t start, Py_ssize_t stop, \
                     int channels, const TYPE *table, Py_ssize_t n)            \
    {                                                                          \
        TYPE scale = (TYPE)(n - 1);                                            \
        Py_ssize_t sr = n * n, sg = n;                                         \
        for (Py_ssize_t i = start; i < stop; i++) {                            \
            const TYPE *p = src + i * channels;                                \
            TYPE *q = dst + i * channels;                                      \
            Py_ssize_t cr, cg, cb;                                             \
            TYPE fr, fg, fb, mapped[3];                                        \
            TYPE xr = p[0] * scale, xg = p[1] * scale, xb = p[2] * scale;      \
            LOCATE(TYPE, FLOOR, xr, n, cr, fr);                                \
            LOCATE(TYPE, FLOOR, xg, n, cg, fg);                                \
            LOCATE(TYPE, FLOOR, xb, n, cb, fb);                                \
            Py_ssize_t base = cr * sr + cg * sg + cb;                          \
            TETRAHEDRAL_WITH(TYPE, BLEND, table, base, fr, fg, fb, sr, sg, mapped); \
            TYPE alpha = channels == 4 ? p[3] : 0;                             \
            q[0] = mapped[0];                                                  \
            q[1] = mapped[1];                                                  \
            q[2] = mapped[2];                                                  \
            if (channels == 4) {                                               \
                q[3] = alpha;                                                  \
            }                                                                  \
        }                                                                      \
    }

DEFINE_TETRAHEDRAL_FLOAT(tetrahedral_f32, float, floorf, BLEND4)
DEFINE_TETRAHEDRAL_FLOAT(tetrahedral_f64, double, floor, BLEND3)

PyDoc_STRVAR(tetrahedral_doc,
"tetrahedral(src, dst, table, n_nodes, channels, start, stop)\n--\n\n"
"Map pixels start..stop of the C-contiguous (n, channels) buffer src into dst\n"
"(same dtype: uint8, uint16, float32 or float64) through the interleaved\n"
"table: (n_nodes**3, 3) float64 for float64 pixels, else (n_nodes**3, 4)\n"
"float32 (the fourth value unused). The GIL is\n"
"released; src and dst may be the same buffer.");

static PyObject *
tetrahedral(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *dst_obj, *table_obj;
    Py_ssize_t n, start, stop;
    int channels;
    if (!PyArg_ParseTuple(args, "OOOninn", &src_obj, &dst_obj, &table_obj, &n, &channels,
                          &start, &stop)) {
        return NULL;
    }
    Py_buffer src, dst, table;
    if (PyObject_GetBuffer(src_obj, &src, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(dst_obj, &dst, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&src);
        return NULL;
    }
    if (PyObject_GetBuffer(table_obj, &table, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&src);
        PyBuffer_Release(&dst);
        return NULL;
    }
    char kind = buffer_kind(&src), table_kind = buffer_kind(&table);
    const char *error = NULL;
    if (kind == 0 || buffer_kind(&dst) != kind) {
        error = "src and dst must be uint8, uint16, float32 or float64 buffers of one dtype";
    } else if (table_kind != (kind == 'd' ? 'd' : 'f')) {
        error = "table must be float64 for float64 pixels, float32 otherwise";
    } else if (channels != 3 && channels != 4) {
        error = "channels must be 3 or 4";
    } else if (n < 2 || table.len != n * n * n * (kind == 'd' ? 3 : 4) * table.itemsize) {
        error = "table must hold n_nodes**3 * 3 (float64) or * 4 (float32) values";
    } else if (src.len != dst.len || start < 0 || stop < start
               || stop * channels * src.itemsize > src.len) {
        error = "pixel range outside the buffers";
    }
    if (error == NULL) {
        Py_BEGIN_ALLOW_THREADS
        switch (kind) {
        case 'B':
            tetrahedral_u8(src.buf, dst.buf, start, stop, channels, table.buf, n);
            break;
        case 'H':
            tetrahedral_u16(src.buf, dst.buf, start, stop, channels, table.buf, n);
            break;
        case 'f':
            tetrahedral_f32(src.buf, dst.buf, start, stop, channels, table.buf, n);
            break;
        default:
            tetrahedral_f64(src.buf, dst.buf, start, stop, channels, table.buf, n);
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    PyBuffer_Release(&table);
    if (error != NULL) {
        PyErr_SetString(PyExc_ValueError, error);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* The colour histogram of _input._color_histogram: every `stride`-th pixel's
 * bin (`bits` per channel) gets its weight and its weighted colour. */
#define HISTOGRAM_LOOP(TYPE, LEVEL, COLOR)                                     \
    do {                                                                       \
        const TYPE *pixels = (const TYPE *)src.buf;                            \
        for (Py_ssize_t k = 0, i = 0; i < n_pixels; i += stride, k++) {        \
            const TYPE *p = pixels + i * channels;                             \
            Py_ssize_t key = 0;                                                \
            for (int c = 0; c < 3; c++) {                                      \
                key = (key << bits) | (Py_ssize_t)(LEVEL);                     \
            }                                                                  \
            double w = weights ? weights[k] : 1.0;                             \
            counts[key] += w;                                                  \
            for (int c = 0; c < 3; c++) {                                      \
                sums[3 * key + c] += weights ? (COLOR) * w : (COLOR);          \
            }                                                                  \
        }                                                                      \
    } while (0)

static Py_ssize_t
float_level(double scaled, int top)
{
    if (!(scaled >= 0)) {
        return 0;
    }
    return scaled >= top ? top : (Py_ssize_t)scaled;
}

PyDoc_STRVAR(histogram_doc,
"histogram(pixels, channels, stride, bits, weights, counts, sums)\n--\n\n"
"Add every stride-th pixel of the C-contiguous (n, channels) buffer to the\n"
"float64 counts (2**(3*bits)) and colour sums (2**(3*bits) * 3) of its bin;\n"
"weights is None or a float64 buffer with one weight per pixel read.");

static PyObject *
histogram(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *weights_obj, *counts_obj, *sums_obj;
    int channels, bits;
    Py_ssize_t stride;
    if (!PyArg_ParseTuple(args, "OiniOOO", &src_obj, &channels, &stride, &bits, &weights_obj,
                          &counts_obj, &sums_obj)) {
        return NULL;
    }
    Py_buffer src, counts_view, sums_view, weights_view;
    int has_weights = weights_obj != Py_None;
    if (PyObject_GetBuffer(src_obj, &src, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(counts_obj, &counts_view,
                           PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&src);
        return NULL;
    }
    if (PyObject_GetBuffer(sums_obj, &sums_view,
                           PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&src);
        PyBuffer_Release(&counts_view);
        return NULL;
    }
    if (has_weights && PyObject_GetBuffer(weights_obj, &weights_view,
                                          PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&src);
        PyBuffer_Release(&counts_view);
        PyBuffer_Release(&sums_view);
        return NULL;
    }
    char kind = buffer_kind(&src);
    Py_ssize_t n_bins = (Py_ssize_t)1 << (3 * bits);
    Py_ssize_t n_pixels = channels > 0 ? src.len / src.itemsize / channels : 0;
    Py_ssize_t n_read = stride > 0 ? (n_pixels + stride - 1) / stride : 0;
    const char *error = NULL;
    if (kind == 0) {
        error = "pixels must be uint8, uint16, float32 or float64";
    } else if (channels < 3 || stride < 1 || bits < 1 || bits > 8) {
        error = "need channels >= 3, stride >= 1 and bits in 1..8";
    } else if (buffer_kind(&counts_view) != 'd' || buffer_kind(&sums_view) != 'd'
               || counts_view.len != n_bins * 8 || sums_view.len != 3 * n_bins * 8) {
        error = "counts and sums must be float64 buffers of 2**(3*bits) (x 3) values";
    } else if (has_weights && (buffer_kind(&weights_view) != 'd'
                               || weights_view.len != n_read * 8)) {
        error = "weights must be float64, one per pixel read";
    }
    if (error == NULL) {
        double *counts = counts_view.buf, *sums = sums_view.buf;
        const double *weights = has_weights ? weights_view.buf : NULL;
        int top = (1 << bits) - 1;
        Py_BEGIN_ALLOW_THREADS
        switch (kind) {
        case 'B':
            HISTOGRAM_LOOP(uint8_t, p[c] >> (8 - bits), p[c] / 255.0);
            break;
        case 'H':
            HISTOGRAM_LOOP(uint16_t, p[c] >> (16 - bits), p[c] / 65535.0);
            break;
        case 'f':
            /* float32 product, as numpy computes pixels * 2**bits */
            HISTOGRAM_LOOP(float, float_level(p[c] * (float)(1 << bits), top), (double)p[c]);
            break;
        default:
            HISTOGRAM_LOOP(double, float_level(p[c] * (double)(1 << bits), top), p[c]);
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&src);
    PyBuffer_Release(&counts_view);
    PyBuffer_Release(&sums_view);
    if (has_weights) {
        PyBuffer_Release(&weights_view);
    }
    if (error != NULL) {
        PyErr_SetString(PyExc_ValueError, error);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"tetrahedral", tetrahedral, METH_VARARGS, tetrahedral_doc},
    {"histogram", histogram, METH_VARARGS, histogram_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lut_c",
    "Compiled tetrahedral interpolation and colour histogram (see _lut_c.c).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lut_c(void)
{
    return PyModule_Create(&module);
}
