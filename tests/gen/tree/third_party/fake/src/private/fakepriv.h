/* A header private to the fake library's sources (third_party `private:`):
 * on their include path only, not exported to the module or its dependents. */
#define FAKE_PRIVATE_OFFSET 0
