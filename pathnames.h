/*
 * pathnames.h - every default path pald and palpasswd use.
 */
#ifndef PALD_PATHNAMES_H
#define PALD_PATHNAMES_H

#define _PATH_PALD_DB		"/var/db/pald"
#define _PATH_PALD_RUN		"/var/run/pald"
#define _PATH_PALD_CONF		"/etc/pald.conf"
#define _PATH_PALD_CATEGORIES	"/usr/local/share/pald/categories.txt"
#define _PATH_PALD_ROOMS	"/usr/local/share/pald/rooms.txt"

#endif /* PALD_PATHNAMES_H */
