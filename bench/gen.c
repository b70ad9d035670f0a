/* gen.c: bench-gen, the benchmarks' data generator.
 *
 *   bench-gen --db PATH --tickets N [--seed S] [--now T]
 *             [--maildir DIR [--maildir-tickets K]] [--no-db] [--quiet]
 *
 * Writes a believable support database straight through the store API
 * (big transactions, FTS triggers off during the load: store_bulk_*):
 * N tickets over the two years before T, N/5 customers with a skewed
 * number of tickets each, agents, about 10 messages a ticket with a long
 * tail up to 200, lognormal body sizes, skewed statuses, priorities,
 * channels, queues and tags, SLA times, surveys, audit events, and some
 * accented, CJK and emoji text.  Deterministic for a seed: its own PRNG,
 * and customers and agents are pure functions of (seed, index).
 *
 * With --maildir, the same conversations of the newest K tickets are
 * also written as mail (one file each, threaded by Message-ID) for the
 * neomutt comparison; --no-db writes only that. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define DEFAULT_NOW 1793491200LL /* 2026-11-01T00:00:00Z: fixed, so a seed is a data set */
#define SPAN (2LL * 365 * 86400)
#define BATCH 2000 /* tickets per transaction */
#define MAX_THREAD 200
#define HOUR 3600LL
#define DAY 86400LL

/* --- PRNG: xoshiro256**, seeded by splitmix64 --------------------------- */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static double unif(struct rng *r) /* [0, 1) */
{
	return (double)(next64(r) >> 11) * 0x1.0p-53;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

static double normal(struct rng *r)
{
	double u = unif(r), v = unif(r);
	return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static double lognormal(struct rng *r, double median, double sigma)
{
	return median * exp(sigma * normal(r));
}

/* Index drawn from cumulative weights w[0..n-1]. */
static int pick(struct rng *r, const double *w, int n)
{
	double total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	double x = unif(r) * total;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* A stateless hash for per-entity attributes (customers, agents). */
static uint64_t hash2(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (i + 0x632be59bd9b4e019ULL);
	return splitmix(&x);
}

/* --- vocabulary --------------------------------------------------------- */
/* Ordered by how often a support conversation uses them: word i is drawn
 * with weight 1/(i+1) (Zipf).  "order" is the common search word;
 * "refund*" the prefix one. */
static const char *const words[] = {
	"the", "to", "order", "I", "you", "and", "a", "is", "it", "for", "my", "we", "please",
	"not", "this", "on", "your", "have", "account", "can", "be", "with", "that", "help",
	"thanks", "in", "of", "was", "refund", "payment", "issue", "still", "again", "email",
	"delivery", "invoice", "login", "password", "received", "update", "package", "error",
	"team", "check", "support", "customer", "number", "card", "charged", "twice", "app",
	"working", "since", "yesterday", "today", "week", "subscription", "cancel", "plan",
	"upgrade", "shipping", "address", "tracking", "link", "reset", "screen", "message",
	"phone", "call", "back", "time", "possible", "soon", "could", "would", "should",
	"looks", "like", "problem", "fixed", "after", "before", "try", "tried", "clear",
	"cache", "browser", "version", "latest", "install", "device", "settings", "option",
	"missing", "item", "box", "damaged", "return", "label", "warehouse", "courier", "store",
	"credit", "note", "refunded", "refunds", "billing", "statement", "price", "discount",
	"coupon", "code", "expired", "valid", "sorry", "inconvenience", "apologies", "happy",
	"confirm", "confirmed", "details", "attached", "screenshot", "photo", "receipt",
	"export", "import", "report", "data", "file", "upload", "download", "slow", "crash",
	"crashes", "freezes", "sync", "notification", "settings", "profile", "name", "change",
	"delete", "close", "open", "escalate", "engineer", "manager", "colleague", "looked",
	"into", "found", "cause", "workaround", "meanwhile", "patch", "release", "monday",
	"friday", "morning", "afternoon", "tomorrow", "hours", "days", "minutes", "weeks",
	"contract", "renewal", "quote", "license", "seats", "users", "admin", "permissions",
	"access", "denied", "blocked", "unlock", "verify", "verification", "identity",
	"security", "two", "factor", "sms", "token", "api", "integration", "webhook",
	"timeout", "server", "outage", "status", "page", "incident", "resolved", "monitor",
};
#define NWORDS (int)(sizeof words / sizeof words[0])

static const char *const intl[] = {
	"Merci beaucoup, ça marche très bien maintenant.",
	"Grüße aus München — danke für die schnelle Antwort!",
	"¿Dónde está mi pedido? Lo pedí hace dos semanas.",
	"ご連絡ありがとうございます。注文番号を確認してください。",
	"我的订单还没有到，请帮忙查询一下物流信息。",
	"감사합니다. 비밀번호를 재설정할 수 없습니다.",
	"Спасибо за помощь! Всё работает.",
	"Obrigado pela ajuda, a fatura está correta agora.",
	"Thanks a lot 👍 🙏 — works like a charm 🚀",
	"Ça ne fonctionne toujours pas 😞 après la mise à jour.",
	"Η παραγγελία μου καθυστερεί πολύ.",
	"Tack så mycket, Søren från Århus här.",
	"Zoë’s café in Kraków says the receipt is wrong… 🤔",
};
#define NINTL (int)(sizeof intl / sizeof intl[0])

static const char *const first_names[] = {
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
	"Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
	"Sarah", "Charles", "Karen", "Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Ahmed",
	"Fatima", "Olga", "Ivan", "Lucas", "Sofia", "Mateo", "Emma", "Noah", "Olivia", "Liam",
	"Ava", "Kwame", "Amara", "José", "Zoë", "Søren", "Björn", "Chloé", "Łukasz", "Ömer",
	"Renée", "François", "Inès",
};
static const char *const last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
	"Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
	"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Patel", "Nguyen", "Kim",
	"Chen", "Singh", "Müller", "Schröder", "Dvořák", "Nowak", "Kowalski", "Okafor",
	"Mensah", "Yamamoto", "Tanaka", "Ivanova", "Rossi", "Bianchi", "Núñez", "Åkesson",
	"O'Brien",
};
/* Whole names written the way their owners write them. */
static const char *const cjk_names[] = {"李伟", "王芳", "山田太郎", "佐藤花子", "김민준",
					"이서연", "陈静", "鈴木一郎"};
static const char *const domains[] = {"gmail.com", "outlook.com", "yahoo.com", "proton.me",
				      "example.org", "acme.io", "globex.com", "initech.net",
				      "umbrella.co", "hooli.xyz"};
static const char *const orgs[] = {"Acme Corp", "Globex", "Initech", "Umbrella",
				   "Hooli", "Stark Industries", "Wayne Enterprises",
				   "Müller GmbH", "株式会社サンプル", "Vandelay Imports"};

static const char *const queues[] = {"general", "billing", "technical", "sales", "returns",
				     "vip"};
static const double queue_w[] = {40, 20, 20, 8, 7, 5};
static const double channel_w[CH__COUNT] = {55, 10, 18, 12, 4, 1}; /* email..walk_in */
static const double prio_w[PRIO__COUNT] = {15, 60, 20, 5};
static const char *const tags[] = {"refund", "bug", "billing", "shipping", "login", "vip",
				   "feature-request", "churn-risk", "invoice", "password",
				   "damaged", "late-delivery", "api", "mobile", "gdpr",
				   "follow-up"};
#define NTAGS (int)(sizeof tags / sizeof tags[0])

static const char *const subjects[] = {
	"Order #%u not delivered yet", "Refund for invoice %u", "Can't log in to my account",
	"Charged twice for order #%u", "Password reset link expired",
	"App crashes after update %u", "Question about my subscription",
	"Wrong item in package #%u", "Cancel my plan", "Upgrade to %u seats",
	"API returns error %u", "Tracking number not working", "Damaged box, order #%u",
	"Invoice %u has the wrong address", "Two factor code never arrives",
	"Export to CSV is slow", "Webhook timeout since yesterday", "Discount code %u expired",
	"Problème de facturation (commande %u)", "Lieferung %u verspätet",
	"配送について (注文 %u)", "退款申请 %u", "Where is my order?? 😡",
};
#define NSUBJ (int)(sizeof subjects / sizeof subjects[0])

/* --- the generator ------------------------------------------------------ */
struct gen {
	struct rng r;
	uint64_t seed;
	int64_t now, start;
	long ntickets, ncustomers, nagents;
	long long_stride;   /* every long_stride-th ticket has 200 messages */
	double rare_p;      /* chance of the rare word in one message */
	struct store *st;   /* NULL with --no-db */
	const char *maildir;
	long maildir_from;  /* ticket index where mail starts */
	unsigned long mailseq;
	uint16_t zipf[4096]; /* word index table */
	struct strbuf body, mail;
	long long nmsg, nrows, nmail;
	char me[64];
};

static void zipf_init(struct gen *g)
{
	double total = 0;
	for (int i = 0; i < NWORDS; i++)
		total += 1.0 / (i + 1);
	int at = 0;
	double acc = 0;
	for (int i = 0; i < NWORDS; i++) {
		acc += 1.0 / (i + 1) / total;
		int end = (int)(acc * 4096 + 0.5);
		while (at < end && at < 4096)
			g->zipf[at++] = (uint16_t)i;
	}
	while (at < 4096)
		g->zipf[at++] = NWORDS - 1;
}

static void customer_name(const struct gen *g, long idx, char *buf, size_t size,
			  const char **first)
{
	uint64_t h = hash2(g->seed, (uint64_t)idx);
	if (h % 50 == 0) { /* 2%: a CJK name */
		const char *n = cjk_names[(h >> 8) % 8];
		snprintf(buf, size, "%s", n);
		*first = n;
		return;
	}
	const char *f = first_names[(h >> 8) % ARRAY_LEN(first_names)];
	const char *l = last_names[(h >> 20) % ARRAY_LEN(last_names)];
	snprintf(buf, size, "%s %s", f, l);
	*first = f;
}

/* ASCII local part, unique per index. */
static void customer_email(const struct gen *g, long idx, char *buf, size_t size)
{
	uint64_t h = hash2(g->seed, (uint64_t)idx);
	static const char *const ascii_first[] = {"james", "mary", "rob", "pat", "john",
						  "jen", "mike", "linda", "dave", "liz"};
	snprintf(buf, size, "%s.%ld@%s", ascii_first[(h >> 32) % 10], idx,
		 domains[(h >> 40) % ARRAY_LEN(domains)]);
}

static void agent_login(long idx, char *buf, size_t size)
{
	snprintf(buf, size, "agent%03ld", idx);
}

static void sentence(struct gen *g, struct strbuf *b)
{
	int n = 5 + (int)below(&g->r, 14);
	for (int i = 0; i < n; i++) {
		const char *w = words[g->zipf[next64(&g->r) & 4095]];
		if (i == 0 && w[0] >= 'a' && w[0] <= 'z') {
			sb_addc(b, (char)(w[0] - 'a' + 'A'));
			sb_add(b, w + 1);
		} else {
			if (i)
				sb_addc(b, ' ');
			sb_add(b, w);
		}
	}
	if (unif(&g->r) < g->rare_p)
		sb_add(b, " quuxplorer");
	sb_add(b, below(&g->r, 8) == 0 ? "?" : ".");
}

/* Paragraphs of sentences up to about `target` bytes. */
static void prose(struct gen *g, struct strbuf *b, size_t target)
{
	size_t start = b->len;
	int in_par = 0;
	while (b->len - start < target) {
		if (in_par && below(&g->r, 4) == 0) {
			sb_add(b, "\n\n");
			in_par = 0;
		} else if (in_par) {
			sb_addc(b, ' ');
		}
		if (below(&g->r, 60) == 0)
			sb_add(b, intl[below(&g->r, NINTL)]);
		else
			sentence(g, b);
		in_par++;
	}
}

static void make_body(struct gen *g, enum msg_kind kind, const char *cust_first,
		      const char *agent)
{
	struct strbuf *b = &g->body;
	sb_reset(b);
	size_t target = (size_t)lognormal(&g->r, 300, 0.9);
	if (target > 16000)
		target = 16000;
	switch (kind) {
	case MSG_CUSTOMER:
		sb_add(b, below(&g->r, 3) ? "Hi,\n\n" : "Hello support team,\n\n");
		prose(g, b, target);
		sb_addf(b, "\n\nThanks,\n%s", cust_first);
		break;
	case MSG_REPLY:
		sb_addf(b, "Hi %s,\n\n", cust_first);
		prose(g, b, target);
		sb_addf(b, "\n\nBest regards,\n%s\nSupport team", agent);
		break;
	case MSG_NOTE:
		prose(g, b, target / 4 + 20);
		break;
	default:
		sb_add(b, "Status changed by an automation rule.");
		break;
	}
	if (below(&g->r, 25) == 0)
		sb_addf(b, "\n\n%s", intl[below(&g->r, NINTL)]);
}

static int fail(const struct derr *e)
{
	fprintf(stderr, "bench-gen: %s\n", e->msg);
	return 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mkdirp(const char *path)
{
	char buf[4400];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static void rfc2822(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* One conversation message as a mail file in DIR/cur. */
static int write_mail(struct gen *g, long ti, int k, const char *subject, const char *from,
		      const char *to, int64_t at, const char *body)
{
	char date[64], path[4200];
	rfc2822(at, date, sizeof date);
	struct strbuf *m = &g->mail;
	sb_reset(m);
	sb_addf(m, "From: %s\nTo: %s\nSubject: %s%s\nDate: %s\n"
		   "Message-ID: <t%ld.m%d.s%llu@bench.example.com>\n",
		from, to, k ? "Re: " : "", subject, date, ti, k, (unsigned long long)g->seed);
	if (k)
		sb_addf(m, "In-Reply-To: <t%ld.m%d.s%llu@bench.example.com>\n"
			   "References: <t%ld.m0.s%llu@bench.example.com>\n",
			ti, k - 1, (unsigned long long)g->seed, ti, (unsigned long long)g->seed);
	sb_addf(m, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		   "Content-Transfer-Encoding: 8bit\n\n%s\n",
		body);
	snprintf(path, sizeof path, "%s/cur/%lld.%lu.bench:2,S", g->maildir, (long long)at,
		 ++g->mailseq);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(m->s, 1, m->len, f) != m->len || fclose(f)) {
		fprintf(stderr, "bench-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	g->nmail++;
	return 0;
}

static int gen_agents(struct gen *g, struct derr *e)
{
	struct agent me = {.login = g->me, .name = "Bench Admin", .role = ROLE_ADMIN,
			   .active = true, .created_at = g->start};
	if (g->st && store_agent_insert(g->st, &me, e))
		return -1;
	for (long i = 1; i <= g->nagents; i++) {
		char login[32], name[96];
		const char *first;
		agent_login(i, login, sizeof login);
		customer_name(g, -i, name, sizeof name, &first);
		struct agent a = {.login = login, .name = name,
				  .role = i <= 2 ? ROLE_SUPERVISOR : ROLE_AGENT,
				  .active = i % 17 != 0, .created_at = g->start};
		if (g->st && store_agent_insert(g->st, &a, e))
			return -1;
		g->nrows++;
	}
	return 0;
}

static int gen_customers(struct gen *g, struct derr *e)
{
	static const char *const tiers[] = {"free", "pro", "business", "enterprise"};
	for (long i = 1; g->st && i <= g->ncustomers; i++) {
		uint64_t h = hash2(g->seed ^ 0xc0ffee, (uint64_t)i);
		char name[96], email[128], phone[32];
		const char *first;
		customer_name(g, i, name, sizeof name, &first);
		customer_email(g, i, email, sizeof email);
		snprintf(phone, sizeof phone, "+1 555 %03u %04u", (unsigned)(h % 1000),
			 (unsigned)((h >> 10) % 10000));
		struct customer c = {
			.name = name,
			.email = email,
			.phone = h % 3 == 0 ? phone : NULL,
			.organization = h % 4 == 0 ? (char *)orgs[(h >> 16) % ARRAY_LEN(orgs)] : NULL,
			.tier = (char *)tiers[(h >> 24) % 7 < 4 ? 0 : (h >> 24) % 7 - 3],
			.notes = h % 20 == 0 ? "Prefers email. Long-time customer." : NULL,
			.created_at = g->start - (int64_t)(h % (365 * DAY)),
		};
		if (store_customer_insert(g->st, &c, e))
			return -1;
		g->nrows++;
		if (i % 50000 == 0) {
			if (store_commit(g->st, e) || store_begin(g->st, e))
				return -1;
		}
	}
	return 0;
}

static const int64_t first_resp_target[PRIO__COUNT] = {24 * HOUR, 8 * HOUR, 4 * HOUR, HOUR};
static const int64_t resolve_target[PRIO__COUNT] = {168 * HOUR, 72 * HOUR, 24 * HOUR,
						    4 * HOUR};

static enum status pick_status(struct gen *g, int64_t age)
{
	static const double old_w[ST__COUNT] = {0, 1.5, 1, 0.5, 15, 82};
	static const double month_w[ST__COUNT] = {0, 10, 10, 5, 45, 30};
	static const double week_w[ST__COUNT] = {25, 35, 15, 5, 20, 0};
	static const double day_w[ST__COUNT] = {60, 30, 5, 0, 5, 0};
	const double *w = age > 30 * DAY ? old_w : age > 7 * DAY ? month_w
					   : age > DAY	   ? week_w
							   : day_w;
	return (enum status)pick(&g->r, w, ST__COUNT);
}

/* Ticket i (0-based; ids ascend with created_at). */
static int gen_ticket(struct gen *g, long i, struct derr *e)
{
	struct rng *r = &g->r;
	/* Created times grow denser toward now (a growing team). */
	double x = (i + unif(r)) / (double)g->ntickets;
	int64_t created = g->start + (int64_t)(SPAN * pow(x, 0.75));
	if (created >= g->now)
		created = g->now - 60;
	int64_t age = g->now - created;

	bool is_long = g->long_stride && i % g->long_stride == g->long_stride / 2;
	long long_rank = is_long ? i / g->long_stride : -1;
	enum status status = pick_status(g, age);
	enum priority prio = (enum priority)pick(r, prio_w, PRIO__COUNT);
	enum channel ch = (enum channel)pick(r, channel_w, CH__COUNT);
	if (is_long && long_rank < 20) {
		/* The oldest long threads stay open: the first rows of the
		 * urgency-sorted queue, so "open a ticket with 200 messages"
		 * is the Enter key on the first screen. */
		status = ST_OPEN;
		prio = PRIO_HIGH;
	}
	double cu = unif(r);
	long cust = 1 + (long)(g->ncustomers * pow(cu, 1.6));
	if (cust > g->ncustomers)
		cust = g->ncustomers;
	char cname[96], cemail[128];
	const char *cfirst;
	customer_name(g, cust, cname, sizeof cname, &cfirst);
	customer_email(g, cust, cemail, sizeof cemail);

	/* Assignee: skewed over agents; new tickets often nobody's; some mine. */
	long assignee = 0;
	bool unassigned = status == ST_NEW ? below(r, 10) < 6 : below(r, 20) == 0;
	if (!unassigned) {
		if (below(r, 50) == 0)
			assignee = 1; /* the bench's own login: the "mine" view */
		else
			assignee = 2 + (long)(g->nagents * pow(unif(r), 1.4));
		if (assignee > g->nagents + 1)
			assignee = g->nagents + 1;
	}
	char agent_name[32] = "Sam";
	if (assignee > 1)
		agent_login(assignee - 1, agent_name, sizeof agent_name);

	/* Thread length: lognormal, mean about 10, tail to 200. */
	int len = is_long ? MAX_THREAD : 1 + (int)lognormal(r, 6.0, 0.9);
	if (len > MAX_THREAD)
		len = MAX_THREAD;
	bool done = status == ST_SOLVED || status == ST_CLOSED;
	int64_t solved_at = 0, closed_at = 0;
	int64_t life = (int64_t)lognormal(r, 20 * HOUR, 1.2) + 600;
	if (is_long)
		life = 60 * DAY;
	if (done) {
		solved_at = created + life;
		if (solved_at > g->now - 60)
			solved_at = g->now - 60;
		if (status == ST_CLOSED) {
			closed_at = solved_at + 3 * DAY + (int64_t)below(r, 4 * DAY);
			if (closed_at > g->now)
				closed_at = g->now;
		}
	}
	int64_t last = done ? solved_at : created + life;
	if (last > g->now - 30)
		last = g->now - 30;
	if (last <= created)
		last = created + 1;
	if (status == ST_NEW)
		len = 1 + (len > 3 ? 2 : len - 1); /* nobody answered yet */

	char subject[160];
	snprintf(subject, sizeof subject, subjects[below(r, NSUBJ)],
		 10000 + (unsigned)below(r, 900000));

	struct ticket t = {0};
	char xid[48];
	if (below(r, 5) == 0) {
		snprintf(xid, sizeof xid, "zd-%llu-%ld", (unsigned long long)g->seed, i + 1);
		t.external_id = xid;
	}
	t.subject = subject;
	t.status = status;
	t.priority = prio;
	t.channel = ch;
	t.queue = (char *)queues[pick(r, queue_w, 6)];
	if (prio == PRIO_URGENT && below(r, 3) == 0)
		t.queue = "vip";
	t.customer_id = cust;
	t.assignee_id = assignee;
	t.created_at = created;
	t.first_response_due = created + first_resp_target[prio];
	t.resolution_due = created + resolve_target[prio];
	t.solved_at = solved_at;
	t.first_solved_at = solved_at;
	t.closed_at = closed_at;
	t.reopens = done && below(r, 25) == 0 ? 1 : 0;
	char *tagv[4] = {0};
	int ntag = below(r, 10) < 6 ? 0 : 1 + (int)below(r, 3);
	for (int k = 0; k < ntag; k++) {
		const char *tg = tags[below(r, NTAGS)];
		bool dup = false;
		for (int j = 0; j < k; j++)
			dup |= tagv[j] == tg;
		tagv[k] = dup ? NULL : (char *)tg;
	}
	int nt = 0;
	for (int k = 0; k < ntag; k++)
		if (tagv[k])
			tagv[nt++] = tagv[k];
	tagv[nt] = NULL;
	t.tags = nt ? tagv : NULL;
	t.ntags = (size_t)nt;

	/* The conversation: times spread over the ticket's life. */
	int64_t span = last - created;
	int64_t at = created, first_reply = 0, last_at = created;
	bool mail = g->maildir && i >= g->maildir_from;
	int64_t msg_times[MAX_THREAD];
	enum msg_kind kinds[MAX_THREAD];
	enum msg_kind prev = MSG_REPLY;
	for (int k = 0; k < len; k++) {
		enum msg_kind kind;
		if (k == 0)
			kind = ch == CH_PHONE || ch == CH_WALK_IN ? MSG_NOTE : MSG_CUSTOMER;
		else if (below(r, 100) < 8)
			kind = MSG_NOTE;
		else if (below(r, 100) < 2)
			kind = MSG_SYSTEM;
		else
			kind = prev == MSG_CUSTOMER ? MSG_REPLY : MSG_CUSTOMER;
		if (kind == MSG_CUSTOMER || kind == MSG_REPLY)
			prev = kind;
		if (k)
			at += 1 + (int64_t)((double)span / len * 2 * unif(r));
		if (at > g->now - 1)
			at = g->now - 1;
		if (kind == MSG_REPLY && !first_reply)
			first_reply = at;
		msg_times[k] = at;
		kinds[k] = kind;
		last_at = at;
	}
	t.first_response_at = first_reply;
	t.updated_at = closed_at ? closed_at : last_at > created ? last_at : created;
	if (!done && status != ST_PENDING) {
		t.next_due = first_reply ? t.resolution_due : t.first_response_due;
		if (first_reply && prev == MSG_CUSTOMER) {
			t.next_response_due = last_at + first_resp_target[prio];
			if (t.next_response_due < t.next_due)
				t.next_due = t.next_response_due;
		}
	}
	if (status == ST_PENDING)
		t.pending_since = last_at;

	if (g->st) {
		if (store_ticket_insert(g->st, &t, e))
			return -1;
		g->nrows += 1 + nt;
	} else {
		t.id = i + 1;
	}
	for (int k = 0; k < len; k++) {
		enum msg_kind kind = kinds[k];
		int64_t author = kind == MSG_REPLY || kind == MSG_NOTE
					 ? (assignee ? assignee : 2 + (long)below(r, (uint32_t)g->nagents))
					 : 0;
		make_body(g, kind, cfirst, agent_name);
		char mid[96];
		struct message m = {.ticket_id = t.id, .kind = kind, .author_id = author,
				    .body = g->body.s, .created_at = msg_times[k]};
		if (ch == CH_EMAIL && (kind == MSG_CUSTOMER || kind == MSG_REPLY)) {
			snprintf(mid, sizeof mid, "<t%ld.m%d.s%llu@bench.example.com>", i + 1, k,
				 (unsigned long long)g->seed);
			m.message_id = mid;
			if (kind == MSG_CUSTOMER)
				m.mail_from = cemail;
			else
				m.delivery = "sent";
		}
		if (g->st) {
			if (store_message_insert(g->st, &m, e))
				return -1;
			g->nrows++;
		}
		g->nmsg++;
		if (mail && kind != MSG_NOTE && kind != MSG_SYSTEM) {
			char from[256], to[256];
			if (kind == MSG_CUSTOMER) {
				snprintf(from, sizeof from, "%s <%s>", cname, cemail);
				snprintf(to, sizeof to, "Support <support@bench.example.com>");
			} else {
				snprintf(from, sizeof from, "%s <support@bench.example.com>",
					 agent_name);
				snprintf(to, sizeof to, "%s <%s>", cname, cemail);
			}
			if (write_mail(g, i + 1, k, subject, from, to, msg_times[k], g->body.s))
				return derr_set(e, DESK_EIO, "writing the Maildir");
		}
	}
	/* Surveys on finished tickets, and the audit trail of the big steps
	 * (drawn with or without a database, so --no-db sees the same
	 * stream). */
	bool csat = done && below(r, 4) == 0;
	bool nps = csat && below(r, 3) == 0;
	int csat_score = 5 - (int)(pow(unif(r), 2.5) * 5);
	int nps_score = 10 - (int)(pow(unif(r), 2) * 11);
	if (!g->st)
		return 0;
	if (csat) {
		struct survey sv = {.ticket_id = t.id, .kind = SURVEY_CSAT,
				    .score = csat_score < 1 ? 1 : csat_score,
				    .answered_at = solved_at + 3600};
		if (store_survey_insert(g->st, &sv, e))
			return -1;
		g->nrows++;
	}
	if (nps) {
		struct survey sv = {.ticket_id = t.id, .kind = SURVEY_NPS,
				    .score = nps_score < 0 ? 0 : nps_score,
				    .answered_at = solved_at + 3700};
		if (store_survey_insert(g->st, &sv, e))
			return -1;
		g->nrows++;
	}
	struct event ev = {.ticket_id = t.id, .agent_id = assignee, .at = created,
			   .action = "create", .new_value = subject};
	if (store_event_insert(g->st, &ev, e))
		return -1;
	g->nrows++;
	if (done) {
		struct event sv = {.ticket_id = t.id, .agent_id = assignee, .at = solved_at,
				   .action = "set", .field = "status", .old_value = "open",
				   .new_value = "solved"};
		if (store_event_insert(g->st, &sv, e))
			return -1;
		g->nrows++;
		if (closed_at) {
			struct event cv = {.ticket_id = t.id, .at = closed_at, .action = "set",
					   .field = "status", .old_value = "solved",
					   .new_value = "closed"};
			if (store_event_insert(g->st, &cv, e))
				return -1;
			g->nrows++;
		}
	}
	return 0;
}

static long parse_count(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1e6, end++;
	return *end || v < 1 ? -1 : (long)v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-gen --db PATH --tickets N [--seed S] [--now EPOCH]\n"
			"                 [--maildir DIR [--maildir-tickets K]] [--no-db] [--quiet]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"tickets", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"now", required_argument, NULL, 'N'},
		{"maildir", required_argument, NULL, 'm'},
		{"maildir-tickets", required_argument, NULL, 'k'},
		{"no-db", no_argument, NULL, 'x'},
		{"quiet", no_argument, NULL, 'q'},
		{0},
	};
	const char *db = NULL;
	struct gen g = {.seed = 1, .now = DEFAULT_NOW};
	long mail_tickets = -1;
	bool no_db = false, quiet = false;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 'n': g.ntickets = parse_count(optarg); break;
		case 's': g.seed = strtoull(optarg, NULL, 10); break;
		case 'N': g.now = strtoll(optarg, NULL, 10); break;
		case 'm': g.maildir = optarg; break;
		case 'k': mail_tickets = parse_count(optarg); break;
		case 'x': no_db = true; break;
		case 'q': quiet = true; break;
		default: usage(); return 2;
		}
	}
	if (g.ntickets <= 0 || (!db && !no_db) || (no_db && !g.maildir) || optind < argc) {
		usage();
		return 2;
	}
	rng_seed(&g.r, g.seed);
	zipf_init(&g);
	g.start = g.now - SPAN;
	g.ncustomers = g.ntickets / 5 > 1 ? g.ntickets / 5 : 1;
	g.nagents = 8 + (long)(sqrt((double)g.ntickets) / 20);
	long nlong = g.ntickets / 2000 > 5 ? g.ntickets / 2000 : 5;
	g.long_stride = g.ntickets / nlong > 1 ? g.ntickets / nlong : 1;
	g.rare_p = 20.0 / (g.ntickets * 10.0 * 10.0); /* ~20 messages hold it */
	if (g.maildir) {
		if (mail_tickets < 0 || mail_tickets > g.ntickets)
			mail_tickets = g.ntickets;
		g.maildir_from = g.ntickets - mail_tickets;
		char sub[4200];
		for (int k = 0; k < 3; k++) {
			snprintf(sub, sizeof sub, "%s/%s", g.maildir, (const char *[]){"cur", "new", "tmp"}[k]);
			if (mkdirp(sub)) {
				fprintf(stderr, "bench-gen: %s: %s\n", sub, strerror(errno));
				return 1;
			}
		}
	}
	struct passwd *pw = getpwuid(getuid());
	snprintf(g.me, sizeof g.me, "%s", pw ? pw->pw_name : "bench");

	struct derr e = {0};
	struct store_bulk *bulk = NULL;
	double t0 = now_s();
	if (!no_db) {
		if (unlink(db) && errno != ENOENT) {
			fprintf(stderr, "bench-gen: %s: %s\n", db, strerror(errno));
			return 1;
		}
		char side[4200];
		snprintf(side, sizeof side, "%s-wal", db);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", db);
		unlink(side);
		if (store_open(db, STORE_CREATE, &g.st, &e) || store_bulk_begin(g.st, &bulk, &e) ||
		    store_begin(g.st, &e))
			return fail(&e);
	}
	if (gen_agents(&g, &e) || gen_customers(&g, &e))
		return fail(&e);
	double tlast = now_s();
	for (long i = 0; i < g.ntickets; i++) {
		if (gen_ticket(&g, i, &e))
			return fail(&e);
		if (g.st && (i + 1) % BATCH == 0 && (store_commit(g.st, &e) || store_begin(g.st, &e)))
			return fail(&e);
		if (!quiet && now_s() - tlast > 10) {
			tlast = now_s();
			fprintf(stderr, "bench-gen: %ld/%ld tickets, %lld messages, %.0f rows/s\n",
				i + 1, g.ntickets, g.nmsg, g.nrows / (tlast - t0));
		}
	}
	double t1 = now_s(), t2 = t1;
	if (g.st) {
		if (store_commit(g.st, &e))
			return fail(&e);
		t1 = now_s();
		if (store_bulk_end(g.st, &bulk, &e))
			return fail(&e);
		t2 = now_s();
		store_close(&g.st);
	}
	double t3 = now_s();
	if (!no_db)
		printf("bench-gen: %s: %ld tickets, %ld customers, %ld agents, %lld messages, "
		       "%lld rows in %.1f s (%.0f rows/s, %.0f tickets/s); full-text rebuild "
		       "%.1f s; total %.1f s\n",
		       db, g.ntickets, g.ncustomers, g.nagents + 1, g.nmsg, g.nrows, t1 - t0,
		       g.nrows / (t1 - t0), g.ntickets / (t1 - t0), t2 - t1, t3 - t0);
	if (g.maildir)
		printf("bench-gen: %s: %lld mails (the newest %ld tickets)\n", g.maildir, g.nmail,
		       mail_tickets);
	sb_free(&g.body);
	sb_free(&g.mail);
	return 0;
}
