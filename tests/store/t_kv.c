/*
 * t_kv.c - the text value codec of the store (store/kv.c).
 */
#include <sys/types.h>

#include <atf-c.h>
#include <string.h>

#include "../../store/kv.h"

/* Every byte value survives escaping, and the text stays one line. */
ATF_TC_WITHOUT_HEAD(all_bytes);
ATF_TC_BODY(all_bytes, tc)
{
	char	 in[256], buf[2048], out[300];
	struct kvbuf b;
	ssize_t	 n;
	int	 i;

	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	kv_init(&b, buf, sizeof(buf), 1);
	kv_addn(&b, "text", in, sizeof(in));
	kv_add(&b, "nick", "alice");
	ATF_REQUIRE((n = kv_len(&b)) > 0);
	for (i = 0; i < n; i++)
		ATF_CHECK(buf[i] > 0x20 && buf[i] < 0x7f ? 1 : buf[i] == ' ');
	ATF_CHECK_EQ(kv_get(buf, (size_t)n, "text", out, sizeof(out)), 256);
	ATF_CHECK(memcmp(out, in, 256) == 0);
	ATF_CHECK_EQ(kv_get(buf, (size_t)n, "nick", out, sizeof(out)), 5);
	ATF_CHECK_STREQ(out, "alice");
}

ATF_TC_WITHOUT_HEAD(versions_and_fields);
ATF_TC_BODY(versions_and_fields, tc)
{
	const char	*v = "v1 nick=bob created=1732270000 x=a%20b";
	long long	 t;
	char		 out[16];

	ATF_CHECK_EQ(kv_version(v, strlen(v)), 1);
	ATF_CHECK_EQ(kv_version("v12 a=b", 7), 12);
	ATF_CHECK_EQ(kv_version("x1 a=b", 6), -1);
	ATF_CHECK_EQ(kv_version("v", 1), -1);
	ATF_CHECK_EQ(kv_getll(v, strlen(v), "created", &t), 0);
	ATF_CHECK_EQ(t, 1732270000LL);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "x", out, sizeof(out)), 3);
	ATF_CHECK_STREQ(out, "a b");
	ATF_CHECK_EQ(kv_get(v, strlen(v), "absent", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "ick", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "nick", out, 3), -2);
}

ATF_TC_WITHOUT_HEAD(bad_escapes_and_overflow);
ATF_TC_BODY(bad_escapes_and_overflow, tc)
{
	struct kvbuf	 b;
	char		 buf[16], out[16];

	ATF_CHECK_EQ(kv_get("v1 a=%4", 7, "a", out, sizeof(out)), -2);
	ATF_CHECK_EQ(kv_get("v1 a=%zz", 8, "a", out, sizeof(out)), -2);
	kv_init(&b, buf, sizeof(buf), 1);
	kv_add(&b, "name", "a long value that does not fit");
	ATF_CHECK_EQ(kv_len(&b), -1);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, all_bytes);
	ATF_TP_ADD_TC(tp, versions_and_fields);
	ATF_TP_ADD_TC(tp, bad_escapes_and_overflow);
	return atf_no_error();
}
