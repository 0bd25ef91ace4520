/*
 * h_media.h - the media of calls, transfers and video calls as the 5.0
 * client makes them (proto/P2P.md 2.3, 3, 4.3), for h_client.  libc only.
 * Addresses are numeric IPv4 strings; every wait ends by a deadline
 * (now_ms() + the script's timeout); results are printed with say().
 */
#ifndef H_MEDIA_H
#define H_MEDIA_H

#include <stdint.h>

/* hm_bind - a socket of type (SOCK_DGRAM, SOCK_STREAM) bound to addr:port */
int	 hm_bind(int, const char *, int);
/* hm_listen - a TCP listener on addr:port (0: the kernel picks); *bound */
int	 hm_listen(const char *, int, int *);

/*
 * hm_rtp_send - RTP packets (version 2, payload type 3, four GSM 06.10
 * frames of silence, SSRC ssrc) with the sequence numbers seqs[0..n) to
 * addr:port from fd, a packet every gap ms; RTCP (an SDES-sized packet)
 * instead when rtcp is set.  Prints "SENT n".
 */
void	 hm_rtp_send(int, const char *, int, const unsigned *, int,
	    uint32_t, int, int);
/*
 * hm_rtp_recv - what arrives on fds[0..nfd) until ms have passed or
 * max datagrams came: one line a datagram, "RTP seq=S ssrc=X len=L
 * from=A:P port=LOCALPORT" (or "RTCP len=L ..." for one that is not
 * RTP of payload type 3), then "RTPS n".
 */
void	 hm_rtp_recv(const int *, int, long long, int);

/*
 * hm_file_send - as the 5.0 sender: connect to addr:port from local (or
 * any), 6 tries 1 s apart, then the name length (2, LE), the name, the
 * size (4, LE, the real one unless lie >= 0) and the file; close.
 * Prints "FSENT bytes=N" or "FSEND-FAIL why".
 */
void	 hm_file_send(const char *, const char *, int, const char *,
	    const char *, long long, long long);
/*
 * hm_file_recv - as the 5.0 receiver on listening socket lfd: one
 * connection, the header, the data until the sender closes, into path.
 * Prints "FILE name=N size=S got=G from=A".
 */
void	 hm_file_recv(int, const char *, long long);

/*
 * hm_video_serve - the 5.0 web server on lfd: n connections, each
 * answered at once with the HTTP header and the bytes of path.  Prints
 * "VSERVED from=A" for each.
 */
void	 hm_video_serve(int, const char *, int, long long);
/*
 * hm_video_get - the 5.0 pull: connect to addr:port, send req (a room
 * viewer's request line; NULL: nothing, as a video call's pull), read
 * the header, Content-Length bytes, into path.  Prints "VIDEO bytes=N"
 * or "VIDEO-FAIL why".
 */
void	 hm_video_get(const char *, const char *, int, const char *,
	    const char *, long long);
/*
 * hm_room_init - a room camera's init as uid a: 00000384 a(4); or, when
 * b is not 0, a viewer b's of camera a: 0000038e a(4) b(4); then the
 * 2-byte key.  Prints "VKEY n" or "VKEY-FAIL why".
 */
void	 hm_room_init(const char *, const char *, int, uint32_t, uint32_t,
	    long long);
/*
 * hm_room_publish - n pictures (the bytes of path) of a room camera as
 * uid, one connection each: 000003e8 uid(4) toklen(2) token
 * jpeglen(4) jpeg, then close.  Prints "VPUB sent=K", K the pictures
 * written whole.
 */
void	 hm_room_publish(const char *, const char *, int, uint32_t,
	    const char *, int, long long);

#endif
