# config.mk - the words that differ between systems.  This file is for
# Linux with libbsd (Debian: libbsd-dev, libdb5.3-dev, libcrypt-dev).
# On FreeBSD/NetBSD/OpenBSD drop the libbsd words and -lcrypt, and point
# CPPFLAGS/LDFLAGS at the db5 port (e.g. -I/usr/local/include/db5).
CPPFLAGS+=	-isystem /usr/include/bsd -DLIBBSD_OVERLAY -DLIBBSD_OPENBSD_VIS \
		-D_GNU_SOURCE
LDLIBS+=	-Wl,-z,nodlopen -Wl,-u,libbsd_init_func -lbsd-ctor -lbsd -ldb -lcrypt \
		-pthread
