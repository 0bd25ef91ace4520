/*
 * store/rooms.c - room categories and permanent rooms (see db.h).
 *
 * Owns categories.db and rooms.db, one record a category or a room
 * under its number, and the seed files that fill them when the store
 * has none yet:
 *	categories.db	"0000030001" -> "v1 name=Top%20Rooms"
 *	rooms.db	"0000050001" -> "v1 cat=30001 name=... rating=G ..."
 * Temporary rooms live only in the shared table (table.c).  Deleting a
 * room also deletes its bans, bounces and action log, all under the
 * room's number in roombans.db and roomlog.db (bans.c).  A seed file is
 * read whole, then written in one transaction that first checks that
 * the file it fills is still empty: of two processes seeding at once,
 * one writes.
 */
#include <sys/types.h>

#include <db.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

static const struct kvfield cat_fields[] = {
	KV_STR("name", struct category, name, NULL, KV_NEED),
	KV_END
};

static const struct kvfield room_fields[] = {
	KV_NUM("cat", struct room, category, 0, UINT32_MAX, 0, 0),
	KV_STR("name", struct room, name, NULL, KV_NEED),
	KV_STR("topic", struct room, topic, NULL, KV_OMIT),
	KV_STR("lock", struct room, lockword, NULL, KV_OMIT),
	KV_CHR("rating", struct room, rating, "GAR", 'G'),
	KV_NUM("flags", struct room, flags, 0, 0xff, 0, 0),
	KV_NUM("owner", struct room, owner, 0, UINT32_MAX, 0, 0),
	KV_NUM("code", struct room, admincode, 0, UINT32_MAX, 0, 0),
	KV_NUM("mike", struct room, mike, 0, 1, 1, 0),
	KV_NUM("text", struct room, text, 0, 1, 0, 0),
	KV_NUM("video", struct room, video, 0, 1, 0, 0),
	KV_NUM("created", struct room, created, 0, INT64_MAX, 0, 0),
	KV_END
};

/*
 * A seed file: one record a line, parsed by line (1: a record, 0: a line
 * to skip, -1: a bad one); a record's key is its uint32_t at idoff.
 */
struct seed {
	int		 file;
	const struct kvfield *fields;
	int		(*take)(const struct scan *, const DBT *, const DBT *,
			    void *);
	int		(*line)(char *, void *);
	size_t		 size, idoff;
	int		 max;
	const char	*one, *many;	/* "category", "categories" */
};

struct seed_arg {
	const struct seed *sd;
	char		*recs;		/* cap records, zeroed when made */
	int		 n, cap;
};

static int	 seed_run(struct db *, const char *, const struct seed *);

/* Categories. */

/* cat_take - a category, by code */
static int
cat_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	struct category	 c;
	long long	 code;

	if ((code = key_num(k, 0)) < 1 || code > UINT32_MAX ||
	    kv_version(v->data, v->size) != 1 ||
	    kv_getrec(v->data, v->size, cat_fields, &c) == -1)
		return 0;
	c.code = (uint32_t)code;
	memcpy(slot, &c, sizeof(c));
	return 1;
}

int
db_category_list(struct db *db, struct category *out, int max)
{
	struct scan	 s = SCAN(F_CATS, cat_take, out, max);

	if (db->remote)
		return rm_category_list(db, out, max);
	return txn_list(db, &s);
}

/* cat_line - "code name" from a seed line; 1, 0 to skip it, -1 if bad */
static int
cat_line(char *line, void *rec)
{
	struct category	*c = rec;
	const char	*errstr;
	char		*p, *name, *end;
	size_t		 n;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '#' || *p == '\0' || *p == '\n' || *p == '\r')
		return 0;
	if ((name = strpbrk(p, " \t")) == NULL)
		return -1;
	*name++ = '\0';
	c->code = (uint32_t)strtonum(p, 1, UINT32_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	while (*name == ' ' || *name == '\t')
		name++;
	n = strcspn(name, "\r\n");
	for (end = name + n; end > name && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (*name == '\0' || strlcpy(c->name, name, sizeof(c->name)) >=
	    sizeof(c->name))
		return -1;
	return 1;
}

int
db_category_seed(struct db *db, const char *path)
{
	static const struct seed sd = { F_CATS, cat_fields, cat_take,
	    cat_line, sizeof(struct category),
	    offsetof(struct category, code), PALD_CATEGORIES_MAX,
	    "category", "categories" };

	return seed_run(db, path, &sd);
}

/* Rooms. */

/* A filter of a room list: by name, else by category (0: all). */
struct room_sel {
	const char	*name;
	uint32_t	 category;
};

/* room_dec - a rooms.db record; -1 if it is not one */
static int
room_dec(const DBT *k, const DBT *v, struct room *r)
{
	long long	 id;

	memset(r, 0, sizeof(*r));
	if ((id = key_num(k, 0)) < 1 || id >= PALD_ROOM_TEMP_FIRST ||
	    kv_version(v->data, v->size) != 1 ||
	    kv_getrec(v->data, v->size, room_fields, r) == -1) {
		slog_warnx("db: rooms.db %.*s: bad record", (int)k->size,
		    (const char *)k->data);
		return -1;
	}
	r->id = (uint32_t)id;
	return 0;
}

/* room_take - a room of the list, if the filter (if any) lets it be */
static int
room_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	const struct room_sel *sel = s->arg;
	struct room	 r;

	/* by name: the one field first, the whole record only for a match */
	if (sel != NULL && sel->name != NULL && kv_get(v->data, v->size,
	    "name", r.name, sizeof(r.name)) > 0 &&
	    strcasecmp(r.name, sel->name) != 0)
		return 0;
	if (room_dec(k, v, &r) == -1 || (sel != NULL && (sel->name != NULL ?
	    strcasecmp(r.name, sel->name) != 0 :
	    sel->category != 0 && r.category != sel->category)))
		return 0;
	memcpy(slot, &r, sizeof(r));
	return 1;
}

struct room_arg {
	uint32_t	 id;
	struct room	*out;
	const struct room *in;
};

static int
op_room_get(struct db *db, DB_TXN *t, void *arg)
{
	struct room_arg	*a = arg;
	char		 key[DB_KEY_MAX], v[DB_VAL_MAX];
	size_t		 n;
	DBT		 k, val;
	int		 r;

	fixed_fmt(key, sizeof(key), "%010u", a->id);
	if ((r = row_get(db, t, F_ROOMS, key, v, sizeof(v), &n, 0)) != DBR_OK)
		return r;
	dbt_set(&k, key, strlen(key));
	dbt_set(&val, v, n);
	return room_dec(&k, &val, a->out) == 0 ? DBR_OK : DBR_NOTFOUND;
}

int
db_room_get(struct db *db, uint32_t id, struct room *out)
{
	struct room_arg	 a = { .id = id, .out = out };

	if (db->remote)
		return rm_room_get(db, id, out);
	if (id == 0 || id >= PALD_ROOM_TEMP_FIRST)
		return DBR_NOTFOUND;
	return txn_run(db, TXN_READ, FM_ROOMS, op_room_get, &a);
}

int
db_room_list(struct db *db, uint32_t category, struct room *out, int max)
{
	struct room_sel	 sel = { NULL, category };
	struct scan	 s = SCAN(F_ROOMS, room_take, out, max);

	if (db->remote)
		return rm_room_list(db, category, out, max);
	s.arg = &sel;
	return txn_list(db, &s);
}

int
db_room_by_name(struct db *db, const char *name, struct room *out)
{
	struct room_sel	 sel = { name, 0 };
	struct scan	 s = SCAN(F_ROOMS, room_take, out, 1);
	int		 r;

	if (db->remote)
		return rm_room_by_name(db, name, out);
	s.arg = &sel;
	if ((r = txn_scan(db, &s)) != DBR_OK)
		return r;
	return s.n == 1 ? DBR_OK : DBR_NOTFOUND;
}

/* room_valid - a room that may be stored */
static int
room_valid(const struct room *r)
{
	return r->id != 0 && r->id < PALD_ROOM_TEMP_FIRST &&
	    r->name[0] != '\0' && strlen(r->name) <= PALD_ROOMNAME_MAX &&
	    strchr("GAR", r->rating) != NULL && r->rating != '\0' &&
	    strlen(r->topic) <= PALD_TOPIC_MAX &&
	    strlen(r->lockword) <= PALD_LOCKWORD_MAX;
}

/* op_room_put - create or replace, a new room within PALD_ROOMS_MAX */
static int
op_room_put(struct db *db, DB_TXN *t, void *arg)
{
	struct room_arg	*a = arg;
	char		 key[DB_KEY_MAX];
	int		 r, count;

	fixed_fmt(key, sizeof(key), "%010u", a->in->id);
	if ((r = row_exists(db, t, F_ROOMS, key, DB_RMW)) == DBR_NOTFOUND) {
		if ((r = walk_count(db, t, F_ROOMS, "", PALD_ROOMS_MAX,
		    &count, DB_RMW)) != DBR_OK)
			return r;
		if (count >= PALD_ROOMS_MAX)
			return DBR_LIMIT;
	} else if (r != DBR_OK)
		return r;
	return row_write(db, t, F_ROOMS, key, room_fields, a->in, 0);
}

int
db_room_put(struct db *db, const struct room *room)
{
	struct room_arg	 a = { .in = room };

	if (db->remote)
		return rm_room_put(db, room);
	if (!room_valid(room))
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_ROOMS, op_room_put, &a);
}

/* op_room_delete - the room (if stored), its bans, bounces and log */
static int
op_room_delete(struct db *db, DB_TXN *t, void *arg)
{
	struct room_arg	*a = arg;
	char		 key[DB_KEY_MAX];
	int		 r, had;

	fixed_fmt(key, sizeof(key), "%010u", a->id);
	if ((r = row_del(db, t, F_ROOMS, key)) != DBR_OK &&
	    r != DBR_NOTFOUND)
		return r;
	had = r == DBR_OK;
	fixed_fmt(key, sizeof(key), "%010u:", a->id);
	if ((r = prefix_purge(db, t, F_RBANS, key)) != DBR_OK ||
	    (r = prefix_purge(db, t, F_RLOG, key)) != DBR_OK)
		return r;
	return had ? DBR_OK : DBR_NOTFOUND;
}

int
db_room_delete(struct db *db, uint32_t id)
{
	struct room_arg	 a = { .id = id };

	if (db->remote)
		return rm_room_delete(db, id);
	return txn_run(db, TXN_WRITE, FM_ROOMS | FM_RBANS | FM_RLOG,
	    op_room_delete, &a);
}

/*
 * room_line - "id category rating flags name..." with optional
 * "| topic" at the end; 1, 0 to skip the line, -1 if it is bad.
 */
static int
room_line(char *line, void *rec)
{
	struct room	*r = rec;
	const char	*errstr;
	char		*f[4], *p = line, *bar, *end;
	int		 i;

	memset(r, 0, sizeof(r[0]));
	p += strspn(p, " \t");
	if (*p == '#' || *p == '\0' || *p == '\n' || *p == '\r')
		return 0;
	p[strcspn(p, "\r\n")] = '\0';
	for (i = 0; i < 4; i++) {
		f[i] = p;
		if ((p = strpbrk(p, " \t")) == NULL)
			return -1;
		*p++ = '\0';
		p += strspn(p, " \t");
	}
	r->id = (uint32_t)strtonum(f[0], 1, PALD_ROOM_TEMP_FIRST - 1, &errstr);
	if (errstr != NULL)
		return -1;
	r->category = (uint32_t)strtonum(f[1], 1, UINT32_MAX, &errstr);
	if (errstr != NULL || strlen(f[2]) != 1)
		return -1;
	r->rating = f[2][0];
	for (; *f[3] != '\0'; f[3]++)
		switch (*f[3]) {
		case 'v':
			r->flags |= ROOM_F_VOICE;
			break;
		case 'p':
			r->flags |= ROOM_F_PRIVATE;
			break;
		case 't':
			break;
		default:
			return -1;
		}
	if ((bar = strchr(p, '|')) != NULL) {
		*bar++ = '\0';
		bar += strspn(bar, " \t");
		if (strlcpy(r->topic, bar, sizeof(r->topic)) >=
		    sizeof(r->topic))
			return -1;
	}
	for (end = p + strlen(p); end > p && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (strlcpy(r->name, p, sizeof(r->name)) >= sizeof(r->name))
		return -1;
	r->mike = 1;
	r->created = time(NULL);
	return room_valid(r) ? 1 : -1;
}

int
db_room_seed(struct db *db, const char *path)
{
	static const struct seed sd = { F_ROOMS, room_fields, room_take,
	    room_line, sizeof(struct room), offsetof(struct room, id),
	    PALD_ROOMS_MAX, "room", "rooms" };

	return seed_run(db, path, &sd);
}

/* Seed files. */

/*
 * seed_grow - room in a->recs for the record after the a->n read: the
 * list grows with the file (doubling, up to sd->max + 1), not made for
 * sd->max records up front (megabytes for the rooms); -1 if out of memory
 */
static int
seed_grow(struct seed_arg *a)
{
	const struct seed *sd = a->sd;
	char		*p;
	int		 cap;

	if (a->n < a->cap)
		return 0;
	cap = a->cap < 8 ? 8 : a->cap > sd->max / 2 ? sd->max + 1 :
	    a->cap * 2;
	if (cap <= a->n ||
	    (p = reallocarray(a->recs, (size_t)cap, sd->size)) == NULL)
		return -1;
	memset(p + (size_t)a->cap * sd->size, 0,
	    (size_t)(cap - a->cap) * sd->size);
	a->recs = p;
	a->cap = cap;
	return 0;
}

/* seed_read - the records of path into a->recs; DBR_NOTFOUND if unread */
static int
seed_read(const char *path, struct seed_arg *a)
{
	const struct seed *sd = a->sd;
	FILE		*fp;
	char		 line[512];
	int		 lineno = 0, r;

	if ((fp = fopen(path, "r")) == NULL) {
		slog_warn("%s", path);
		return DBR_NOTFOUND;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			slog_warnx("%s:%d: line too long", path, lineno);
			while (fgets(line, sizeof(line), fp) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		/* recs has room for one more: the line is parsed there */
		if (seed_grow(a) == -1) {
			slog_warn("%s", path);
			(void)fclose(fp);
			return DBR_FATAL;
		}
		if ((r = sd->line(line, a->recs + (size_t)a->n * sd->size)) ==
		    -1)
			slog_warnx("%s:%d: not a %s line", path, lineno,
			    sd->one);
		else if (r == 1 && a->n == sd->max)
			slog_warnx("%s:%d: more than %d %s", path, lineno,
			    sd->max, sd->many);
		else if (r == 1)
			a->n++;
	}
	r = ferror(fp) ? DBR_NOTFOUND : DBR_OK;
	if (r != DBR_OK)
		slog_warn("%s", path);
	(void)fclose(fp);
	return r;
}

/* op_seed - write the records read, if the file has none yet */
static int
op_seed(struct db *db, DB_TXN *t, void *arg)
{
	struct seed_arg	*a = arg;
	const struct seed *sd = a->sd;
	const char	*rec;
	char		 key[DB_KEY_MAX];
	uint32_t	 id;
	int		 i, count, r;

	if ((r = walk_count(db, t, sd->file, "", 1, &count, DB_RMW)) !=
	    DBR_OK)
		return r;
	if (count > 0) {
		a->n = 0;
		return DBR_OK;
	}
	for (i = 0; i < a->n; i++) {
		rec = a->recs + (size_t)i * sd->size;
		memcpy(&id, rec + sd->idoff, sizeof(id));
		fixed_fmt(key, sizeof(key), "%010u", id);
		if ((r = row_write(db, t, sd->file, key, sd->fields, rec, 0)) !=
		    DBR_OK)
			return r;
	}
	return DBR_OK;
}

/* seed_run - fill the file of sd from path if it has no record yet */
static int
seed_run(struct db *db, const char *path, const struct seed *sd)
{
	struct seed_arg	 a = { sd, NULL, 0, 0 };
	struct scan	 s = { sd->file, "", 0, sd->take, NULL, NULL,
	    sd->size, 1, 0, 0 };
	int		 r;

	if (seed_grow(&a) == -1) {
		slog_warn("%s", __func__);
		return DBR_FATAL;
	}
	/* seeded already: the file is not needed */
	s.out = a.recs;
	if ((r = txn_scan(db, &s)) == DBR_OK && s.n == 0 &&
	    (r = seed_read(path, &a)) == DBR_OK &&
	    (r = txn_run(db, TXN_WRITE, FM(sd->file), op_seed, &a)) ==
	    DBR_OK && a.n > 0)
		slog_info("%s: %d %s seeded", path, a.n, sd->many);
	free(a.recs);
	return r;
}
