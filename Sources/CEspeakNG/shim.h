// libespeak-ng's C API (GPL-3): only the espeak-align program links it, never Ember's
// libraries or the ember command.
#include <espeak-ng/speak_lib.h>
