// libyaml's public header; the library comes from the system (Debian: libyaml-dev).
#include <yaml.h>
