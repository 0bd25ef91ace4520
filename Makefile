# pald - a Paltalk 5.0 server.  POSIX make: no % rules, no $^, no GNU
# functions.  OS-specific words live in config.mk.

PREFIX?=	/usr/local
SBINDIR?=	${PREFIX}/sbin
MANDIR?=	${PREFIX}/share/man
SHAREDIR?=	${PREFIX}/share/pald
CC?=		cc
CFLAGS?=	-O2 -g
WERROR?=
CWARN=		-Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-qual \
		-Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
		-Wmissing-declarations -Wno-unused-parameter ${WERROR}

include config.mk

PROTO_OBJS=	proto/wire.o proto/rtp.o
DB_OBJS=	store/dbr.o store/env.o store/schema.o store/arena.o \
		store/txn.o store/row.o store/user.o store/buddy.o \
		store/offline.o store/rooms.o store/bans.o store/invite.o \
		store/kv.o store/pw.o store/slog.o store/lock.o store/rq.o \
		store/serve.o store/remote.o
STORE_OBJS=	${DB_OBJS} store/table.o
# everything but the master's main(): also what the fuzz targets link
LIB_OBJS=	child.o session.o room.o p2p.o admin.o ban.o guard.o out.o \
		conf.o proc.o lograte.o log.o voice.o relay.o vidsrv.o \
		keeper.o storesrv.o \
		${PROTO_OBJS} ${STORE_OBJS}
OBJS=		pald.o ${LIB_OBJS}
PALPASSWD_OBJS=	palpasswd.o log.o ${DB_OBJS}
TESTS=		tests/t_pald tests/t_admin tests/t_room tests/t_client \
		tests/t_voice tests/t_pool tests/t_p2p tests/t_video tests/t_crash \
		tests/h_client \
		tests/h_inetd tests/h_voice tests/h_memscan tests/h_junk \
		tests/h_member tests/proto/t_wire tests/proto/t_rtp \
		tests/store/t_kv tests/store/t_db tests/store/t_table \
		tests/store/t_inbox

# libFuzzer targets (make fuzz; FUZZ_SECONDS each, tools/fuzz-run): every
# decoder and handler that reads a client's, a file's or a sibling's
# bytes, built with clang, ASan and UBSan; seed corpora in tests/fuzz/.
FUZZ_CC?=	clang
FUZZ_SECONDS?=	30
FUZZ_CFLAGS=	-std=c11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		${CPPFLAGS}
FUZZ_SRCS=	${LIB_OBJS:.o=.c}
FUZZ_LIB=	tests/fuzzobj/libpald.a
FUZZERS=	tests/fuzz_wire tests/fuzz_rtp tests/fuzz_kv tests/fuzz_conf \
		tests/fuzz_cmd tests/fuzz_store tests/fuzz_seed \
		tests/fuzz_table tests/fuzz_voice tests/fuzz_relay \
		tests/fuzz_vidsrv tests/fuzz_session

.SUFFIXES: .c .o
.c.o:
	${CC} -std=c11 ${CPPFLAGS} ${CFLAGS} ${CWARN} -c $< -o $@

all: deps pald palpasswd

# -z now: every symbol bound in the master, once, not again in each child
# (lazy binding costs a child CPU and a copy of each GOT page it fixes up)
pald: ${OBJS}
	${CC} ${LDFLAGS} -Wl,-z,now -o $@ ${OBJS} ${LDLIBS}

palpasswd: ${PALPASSWD_OBJS}
	${CC} ${LDFLAGS} -o $@ ${PALPASSWD_OBJS} ${LDLIBS}

${OBJS} palpasswd.o: pald.h log.h
pald.o child.o session.o room.o p2p.o admin.o ban.o guard.o keeper.o out.o: admin.h ban.h guard.h out.h p2p.h session.h sess.h room.h proto/wire.h store/db.h store/table.h pathnames.h
child.o: child.h proc.h
proc.o: proc.h
pald.o child.o voice.o lograte.o: lograte.h store/table.h
proto/wire.o: proto/wire.h
proto/rtp.o: proto/rtp.h
voice.o: voice.h relay.h vidsrv.h proc.h proto/rtp.h proto/wire.h store/table.h
relay.o: relay.h store/table.h
vidsrv.o: vidsrv.h proto/wire.h store/table.h
pald.o: voice.h keeper.h child.h proc.h storesrv.h
storesrv.o: storesrv.h store/db.h
keeper.o: keeper.h
${OBJS} palpasswd.o: store/sizes.h store/slog.h
conf.o: store/db.h store/table.h
${DB_OBJS} palpasswd.o: store/db.h store/kv.h store/sizes.h store/slog.h
${DB_OBJS}: store/dbint.h
store/rq.o store/remote.o store/env.o store/user.o store/buddy.o \
    store/offline.o store/rooms.o store/bans.o: store/remote.h
store/kv.o: store/kv.h
store/slog.o: store/slog.h
store/table.o: store/table.h store/slog.h
tests/store/t_db.o: store/db.h store/remote.h store/sizes.h store/slog.h log.h
tests/store/t_table.o tests/h_member.o: store/table.h store/sizes.h \
    store/slog.h
tests/proto/t_wire.o: proto/wire.h

# h_client speaks the protocol with code of its own (libc only), so that a
# bug in proto/ cannot hide itself by being on both sides of a test.
tests/h_client: tests/h_client.o tests/h_media.o tests/h_util.o
	${CC} ${LDFLAGS} -o $@ tests/h_client.o tests/h_media.o tests/h_util.o \
	    ${LDLIBS}

# h_member is a room member made in the shared table (voice tests, bench).
tests/h_member: tests/h_member.o store/table.o store/slog.o
	${CC} ${LDFLAGS} -o $@ tests/h_member.o store/table.o store/slog.o \
	    ${LDLIBS}

tests/h_inetd: tests/h_inetd.o
	${CC} ${LDFLAGS} -o $@ tests/h_inetd.o

tests/h_memscan: tests/h_memscan.o
	${CC} ${LDFLAGS} -o $@ tests/h_memscan.o

tests/h_junk: tests/h_junk.o
	${CC} ${LDFLAGS} -o $@ tests/h_junk.o

tests/h_voice: tests/h_voice.o tests/h_util.o
	${CC} ${LDFLAGS} -o $@ tests/h_voice.o tests/h_util.o ${LDLIBS}

tests/h_client.o tests/h_voice.o tests/h_util.o tests/h_media.o: tests/h_util.h
tests/h_client.o tests/h_media.o: tests/h_media.h

tests/proto/t_wire: tests/proto/t_wire.o proto/wire.o
	${CC} ${LDFLAGS} -o $@ tests/proto/t_wire.o proto/wire.o -latf-c ${LDLIBS}

tests/proto/t_rtp: tests/proto/t_rtp.o proto/rtp.o
	${CC} ${LDFLAGS} -o $@ tests/proto/t_rtp.o proto/rtp.o -latf-c ${LDLIBS}

tests/store/t_kv: tests/store/t_kv.o store/kv.o
	${CC} ${LDFLAGS} -o $@ tests/store/t_kv.o store/kv.o -latf-c ${LDLIBS}

tests/store/t_db: tests/store/t_db.o ${DB_OBJS} log.o
	${CC} ${LDFLAGS} -o $@ tests/store/t_db.o ${DB_OBJS} log.o -latf-c \
	    ${LDLIBS}

# t_inbox includes store/table.c, for the inbox's layout
tests/store/t_inbox: tests/store/t_inbox.o store/slog.o
	${CC} ${LDFLAGS} -o $@ tests/store/t_inbox.o store/slog.o -latf-c \
	    ${LDLIBS}
tests/store/t_inbox.o: store/table.c store/table.h store/sizes.h \
    store/slog.h

tests/store/t_table: tests/store/t_table.o store/table.o store/slog.o
	${CC} ${LDFLAGS} -o $@ tests/store/t_table.o store/table.o \
	    store/slog.o -latf-c ${LDLIBS}

tests/t_pald: tests/t_pald.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_pald.sh) >$@
	chmod +x $@

tests/t_admin: tests/t_admin.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_admin.sh) >$@
	chmod +x $@

tests/t_client: tests/t_client.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_client.sh) >$@
	chmod +x $@

tests/t_room: tests/t_room.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_room.sh) >$@
	chmod +x $@

tests/t_pool: tests/t_pool.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_pool.sh) >$@
	chmod +x $@

tests/t_crash: tests/t_crash.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_crash.sh) >$@
	chmod +x $@

tests/t_voice: tests/t_voice.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_voice.sh) >$@
	chmod +x $@

tests/t_p2p: tests/t_p2p.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_p2p.sh) >$@
	chmod +x $@

tests/t_video: tests/t_video.sh tests/common.sh
	(echo '#! /usr/bin/env atf-sh'; cat tests/t_video.sh) >$@
	chmod +x $@

check: all ${TESTS}
	kyua test >kyua.out 2>&1; st=$$?; cat kyua.out; \
	[ $$st -eq 0 ] || kyua report --verbose --results-filter broken,failed; \
	sed -n 's|^\([0-9]*\)/[0-9]* passed (\([0-9]*\) failed)$$|\1 passed, \2 failed|p' kyua.out; \
	exit $$st

# The server's files once, instrumented for the fuzzers, in an archive:
# each target takes what it needs.
${FUZZ_LIB}: ${FUZZ_SRCS} pald.h log.h sess.h store/table.h store/db.h \
    store/dbint.h store/kv.h store/remote.h proto/wire.h proto/rtp.h
	rm -rf tests/fuzzobj
	mkdir -p tests/fuzzobj
	for f in ${FUZZ_SRCS}; do \
	    o=tests/fuzzobj/`echo $$f | tr / _ | sed 's/c$$/o/'`; \
	    ${FUZZ_CC} ${FUZZ_CFLAGS} -fsanitize=fuzzer-no-link -c $$f \
	    -o $$o || exit 1; done
	ar rc $@ tests/fuzzobj/*.o

FUZZ_LINK=	${FUZZ_CC} ${FUZZ_CFLAGS} -fsanitize=fuzzer -o $@
${FUZZERS}: ${FUZZ_LIB}
tests/fuzz_store tests/fuzz_seed tests/fuzz_session tests/fuzz_voice: \
    tests/fuzz_util.c tests/fuzz_util.h

tests/fuzz_wire: tests/fuzz_wire.c
	${FUZZ_LINK} tests/fuzz_wire.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_rtp: tests/fuzz_rtp.c
	${FUZZ_LINK} tests/fuzz_rtp.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_kv: tests/fuzz_kv.c
	${FUZZ_LINK} tests/fuzz_kv.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_conf: tests/fuzz_conf.c
	${FUZZ_LINK} tests/fuzz_conf.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_cmd: tests/fuzz_cmd.c
	${FUZZ_LINK} tests/fuzz_cmd.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_store: tests/fuzz_store.c
	${FUZZ_LINK} tests/fuzz_store.c tests/fuzz_util.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_seed: tests/fuzz_seed.c
	${FUZZ_LINK} tests/fuzz_seed.c tests/fuzz_util.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_table: tests/fuzz_table.c store/table.c
	${FUZZ_LINK} tests/fuzz_table.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_voice: tests/fuzz_voice.c
	${FUZZ_LINK} tests/fuzz_voice.c tests/fuzz_util.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_relay: tests/fuzz_relay.c relay.c
	${FUZZ_LINK} tests/fuzz_relay.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_vidsrv: tests/fuzz_vidsrv.c vidsrv.c
	${FUZZ_LINK} tests/fuzz_vidsrv.c ${FUZZ_LIB} ${LDLIBS}
tests/fuzz_session: tests/fuzz_session.c
	${FUZZ_LINK} tests/fuzz_session.c tests/fuzz_util.c ${FUZZ_LIB} \
	    ${LDLIBS}

fuzz-build: ${FUZZERS}

# Each target for FUZZ_SECONDS on a copy of its seeds (tests/fuzz/NAME).
fuzz: fuzz-build
	./tools/fuzz-run ${FUZZ_SECONDS} ${FUZZERS}

# Missing packages are installed when root (tools/deps says what it does).
deps:
	./tools/deps

# pald in the foreground on a data directory under the build tree.
run: all
	mkdir -p run
	printf 'categories %s/data/categories.txt\nrooms %s/data/rooms.txt\n' \
	    "`pwd`" "`pwd`" >run/pald.conf
	./pald -d -f "`pwd`/run/pald.conf" -h "`pwd`/run/db" -r "`pwd`/run/run"

# store/ includes only its own headers: not proto/, not pald.h or log.h
lint:
	@! grep -l 'include "\.\./' store/*.[ch]
	cppcheck --enable=warning,portability --std=c11 --error-exitcode=1 --quiet -I. *.c proto/*.c store/*.c
	mandoc -Tlint -Wwarning man/*.[0-9]
	${MAKE} layers

# The include and call graphs against HACKING's layers (tools/layers).
layers: ${OBJS} palpasswd.o
	./tools/layers

clean:
	rm -f pald palpasswd ${OBJS} palpasswd.o ${TESTS} tests/*.o \
	    tests/*/*.o kyua.out ${FUZZERS}
	rm -rf tests/fuzzobj

install: all
	install -d ${DESTDIR}${SBINDIR} ${DESTDIR}${MANDIR}/man8 \
	    ${DESTDIR}${MANDIR}/man5 ${DESTDIR}${SHAREDIR}
	install -m 0555 pald palpasswd ${DESTDIR}${SBINDIR}
	install -m 0444 man/pald.8 man/palpasswd.8 ${DESTDIR}${MANDIR}/man8
	install -m 0444 man/pald.conf.5 ${DESTDIR}${MANDIR}/man5
	install -m 0444 data/categories.txt ${DESTDIR}${SHAREDIR}
	install -m 0444 data/rooms.txt ${DESTDIR}${SHAREDIR}

.PHONY: all check deps run lint layers clean install fuzz fuzz-build
