/* Host test of core/lib/math.c against glibc: the in-image functions are
 * compiled under these names so both can live in one program. */
#define expf anx_m_expf
#define logf anx_m_logf
#define powf anx_m_powf
#define sinf anx_m_sinf
#define cosf anx_m_cosf
#define tanhf anx_m_tanhf
#define sqrtf anx_m_sqrtf
#define fabsf anx_m_fabsf
#define floorf anx_m_floorf
#define roundf anx_m_roundf
