// Debian's libfcgi-dev: the reentrant fcgiapp API only (never fcgi_stdio).
#include <fcgiapp.h>
