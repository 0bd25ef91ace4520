/*
 * h_inetd.c - a minimal inetd for tests: listen on 127.0.0.1, port chosen
 * by the kernel and written to portfile, then for each of at most count
 * connections fork and exec the command with the socket on fds 0, 1, 2
 * (inetd "nowait").  Exits after count connections have been served, or
 * after a bound of 60 seconds.  libc only.
 *
 * usage: h_inetd portfile count command [args ...]
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);
	struct pollfd	 pfd;
	FILE		*fp;
	char		 tmp[1024];
	int		 s, c, count, served = 0, waited = 0;

	if (argc < 4)
		errx(2, "usage: h_inetd portfile count command [args ...]");
	count = atoi(argv[2]);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(2, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &len) == -1)
		err(2, "bind");
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((fp = fopen(tmp, "w")) == NULL ||
	    fprintf(fp, "%d\n", ntohs(sin.sin_port)) < 0 || fclose(fp) != 0 ||
	    rename(tmp, argv[1]) == -1)
		err(2, "%s", argv[1]);
	while (served < count && waited < 600) {
		pfd.fd = s;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0) {
			waited++;
			continue;
		}
		if ((c = accept(s, NULL, NULL)) == -1)
			continue;
		switch (fork()) {
		case -1:
			err(2, "fork");
		case 0:
			(void)close(s);
			if (dup2(c, 0) == -1 || dup2(c, 1) == -1 ||
			    dup2(c, 2) == -1)
				_exit(2);
			if (c > 2)
				(void)close(c);
			execv(argv[3], argv + 3);
			_exit(2);
		}
		(void)close(c);
		served++;
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
