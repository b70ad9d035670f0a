/* test_mail.c: the mail channel: charsets and encoded words, HTML to
 * text, loop detection, threading and customer matching through a real
 * database, attachments, outbound mail through a stand-in sendmail, the
 * acknowledgement rules, and the sysexits the MTA sees. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "metrics.h"
#include "testlib.h"
#include "util.h"

/* --- helpers ----------------------------------------------------------- */

static char *utf8(const char *bytes, const char *charset)
{
	return mail_to_utf8(bytes, strlen(bytes), charset);
}

static void expect_utf8(const char *bytes, const char *charset, const char *want)
{
	char *s = utf8(bytes, charset);
	ck_assert_str_eq(s, want);
	free(s);
}

static void parse_ok(const char *text, struct mail_in *m)
{
	struct derr e = {0};
	int rc = mail_parse(text, strlen(text), "Support <help@desk.test>", m, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
}

static char *html(const char *s)
{
	return mail_html_to_text(s, strlen(s));
}

static void expect_html(const char *in, const char *want)
{
	char *t = html(in);
	ck_assert_str_eq(t, want);
	free(t);
}

static void get_ticket(struct mail_fx *f, int64_t id, struct ticket *t)
{
	struct derr e = {0};
	ck_assert_msg(store_ticket_get(f->d.st, id, t, &e) == DESK_OK, "%s", e.msg);
}

static int64_t count_messages(struct mail_fx *f, int64_t ticket)
{
	struct message_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(store_messages(f->d.st, ticket, &l, &e), DESK_OK);
	int64_t n = (int64_t)l.n;
	message_list_free(&l);
	return n;
}

/* A reply as desk reply makes it: stored "queued" (core_post sends
 * nothing), then handed to sendmail, whose outcome is in the message. */
static int post_reply(struct mail_fx *f, int64_t ticket, const char *body, int64_t *row,
		      struct derr *e)
{
	int rc = core_post(&f->d, ticket, MSG_REPLY, body, NULL, 0, row, e);
	if (rc)
		return rc;
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f->d.st, *row, &m, e), DESK_OK);
	ck_assert_str_eq(m.delivery, "queued");
	message_free(&m);
	struct derr se = {0};
	outbound_send(&f->d, *row, &se);
	return DESK_OK;
}

static char *sent_text(struct mail_fx *f)
{
	char *s = read_file(f->sent, NULL);
	return s ? s : xstrdup("");
}

/* The Message-ID value of the last "Message-Id:" header in text. */
static char *last_header(const char *text, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			found = p + n + 1;
	if (!found)
		return NULL;
	while (*found == ' ')
		found++;
	return xstrndup(found, strcspn(found, "\r\n"));
}

/* --- charsets and encoded words ---------------------------------------- */

START_TEST(charset_latin1_and_windows1252)
{
	expect_utf8("caf\xe9", "ISO-8859-1", "caf\xc3\xa9");
	expect_utf8("caf\xe9", "latin1", "caf\xc3\xa9");
	/* 0x80-0x9F in "Latin-1" mail are windows-1252, as browsers read it */
	expect_utf8("\x93quoted\x94 \x80 5", "iso-8859-1",
		    "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5");
	expect_utf8("\x93quoted\x94 \x80 5", "windows-1252",
		    "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5");
	/* undeclared 8-bit: UTF-8 when valid, else windows-1252 */
	expect_utf8("na\xc3\xafve", NULL, "na\xc3\xafve");
	expect_utf8("na\xefve", NULL, "na\xc3\xafve");
	expect_utf8("plain", "us-ascii", "plain");
}
END_TEST

/* Mail that reads right (found on real mail): MH-style In-Reply-To,
 * an HTML part's own charset, raw 8-bit headers in the message's
 * declared charset, ISO-8859-1 encoded words read as windows-1252. */
START_TEST(mh_in_reply_to_threads_by_its_id)
{
	static const char *const irt[] = {
		"Message from jdoe@example.com of \"Tue, 02 Mar 2026 10:00:00 +0000.\"\n"
		" <mh.1@host.example>",
		"Message from Mr. O'Brien <ob@x.org> of \"Tue, 02 Mar 2026.\" <mh.1@host.example>",
		"Message from Joe, <joe@x.org> of Tue, 02 Mar 2026 10:00:00 +0000. <mh.1@host.example>",
		"Your message of \"Tue, 02 Mar 2026 <10:00>\" (<not@this.one>) <mh.1@host.example>",
	};
	for (size_t i = 0; i < ARRAY_LEN(irt); i++) {
		char *text = xasprintf("From: a@b.example\nSubject: x\nIn-Reply-To: %s\n\nbody\n",
				       irt[i]);
		struct mail_in m;
		parse_ok(text, &m);
		ck_assert_msg(m.nrefs >= 1, "case %zu: no reference", i);
		ck_assert_str_eq(m.refs[0], "mh.1@host.example");
		for (size_t j = 0; j < m.nrefs; j++)
			ck_assert_str_ne(m.refs[j], "not@this.one");
		mail_in_free(&m);
		free(text);
	}
}
END_TEST

START_TEST(html_meta_charset_is_honoured)
{
	struct mail_in m;
	/* "Привет" in KOI8-R, named only by the document. */
	parse_ok("From: a@b.example\nSubject: x\nContent-Type: text/html\n\n"
		 "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
		 "charset=koi8-r\"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body></html>\n",
		 &m);
	ck_assert_msg(strstr(m.body, "Привет"), "%s", m.body);
	mail_in_free(&m);
	parse_ok("From: a@b.example\nSubject: x\nContent-Type: text/html\n\n"
		 "<meta charset='iso-8859-2'><p>\xb1</p>\n",
		 &m);
	ck_assert_msg(strstr(m.body, "ą"), "%s", m.body);
	mail_in_free(&m);
	/* MIME's own word wins over the document's. */
	parse_ok("From: a@b.example\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n"
		 "<meta charset=\"koi8-r\"><p>caf\xc3\xa9</p>\n",
		 &m);
	ck_assert_msg(strstr(m.body, "café"), "%s", m.body);
	mail_in_free(&m);
}
END_TEST

START_TEST(raw_8bit_headers_use_the_declared_charset)
{
	struct mail_in m;
	parse_ok("From: \xe9\xd7\xc1\xce <ivan@b.example>\nSubject: \xf0\xd2\xc9\xd7\xc5\xd4\n"
		 "Content-Type: text/plain; charset=koi8-r\n\nbody\n",
		 &m);
	ck_assert_str_eq(m.subject, "Привет");
	ck_assert_str_eq(m.from_name, "Иван");
	mail_in_free(&m);
	/* In a multipart, its first text part declares it. */
	parse_ok("From: a@b.example\nSubject: \xb1\nMIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
		 "Content-Type: text/plain; charset=iso-8859-2\n\nbody\n--XX--\n",
		 &m);
	ck_assert_str_eq(m.subject, "ą");
	mail_in_free(&m);
	/* Valid UTF-8 stays UTF-8; nothing declared: windows-1252. */
	parse_ok("From: a@b.example\nSubject: caf\xc3\xa9\n"
		 "Content-Type: text/plain; charset=koi8-r\n\nbody\n",
		 &m);
	ck_assert_str_eq(m.subject, "café");
	mail_in_free(&m);
	parse_ok("From: a@b.example\nSubject: caf\xe9\n\nbody\n", &m);
	ck_assert_str_eq(m.subject, "café");
	mail_in_free(&m);
}
END_TEST

START_TEST(latin1_encoded_words_are_windows1252)
{
	struct mail_in m;
	parse_ok("From: =?ISO-8859-1?Q?=93Jo=94?= <jo@b.example>\n"
		 "Subject: =?iso-8859-1?q?=93quoted=94_=80_5?= and =?latin1?B?k2GU?=\n\nbody\n",
		 &m);
	ck_assert_str_eq(m.subject, "“quoted” € 5 and “a”");
	ck_assert_str_eq(m.from_name, "“Jo”");
	mail_in_free(&m);
	/* Only the header block: the same words in the body stay as written. */
	parse_ok("From: a@b.example\nSubject: x\n\n=?iso-8859-1?q?=93?=\n", &m);
	ck_assert_msg(strstr(m.body, "=?iso-8859-1?q?=93?="), "%s", m.body);
	mail_in_free(&m);
}
END_TEST

START_TEST(charset_japanese)
{
	/* 日本語 in Shift_JIS and in ISO-2022-JP (with its escapes) */
	expect_utf8("\x93\xfa\x96\x7b\x8c\xea", "Shift_JIS", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	expect_utf8("\x1b$BF|K\\8l\x1b(B", "ISO-2022-JP", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	expect_utf8("\xc6\xfc\xcb\xdc", "EUC-JP", "\xe6\x97\xa5\xe6\x9c\xac");
}
END_TEST

START_TEST(charset_invalid_and_unknown)
{
	/* declared UTF-8 but not: each bad byte becomes U+FFFD */
	expect_utf8("a\xff" "b", "utf-8", "a\xef\xbf\xbd" "b");
	/* a charset nobody knows: valid UTF-8 stays, else windows-1252 */
	expect_utf8("ok \xc3\xa9", "x-unknown-42", "ok \xc3\xa9");
	expect_utf8("ok \xe9", "x-unknown-42", "ok \xc3\xa9");
	/* a NUL byte cannot end the text early */
	char *s = mail_to_utf8("a\0b", 3, "utf-8");
	ck_assert_str_eq(s, "a\xef\xbf\xbd" "b");
	free(s);
}
END_TEST

START_TEST(encoded_words_and_transfer_encodings)
{
	struct mail_in m;
	parse_ok("From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <JM@Example.COM>\n"
		 "Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?5pel5pys?=\n"
		 "Message-ID: <a1@example.com>\n"
		 "Content-Type: text/plain; charset=utf-8\n"
		 "Content-Transfer-Encoding: quoted-printable\n"
		 "\n"
		 "caf=C3=A9 au lait, a long line that is soft=\n"
		 " broken.\n",
		 &m);
	ck_assert_str_eq(m.subject, "Caf\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac");
	ck_assert_str_eq(m.from_name, "J\xc3\xbcrgen M\xc3\xbcller");
	ck_assert_str_eq(m.from_addr, "JM@Example.COM");
	ck_assert_str_eq(m.message_id, "a1@example.com");
	ck_assert_str_eq(m.body, "caf\xc3\xa9 au lait, a long line that is soft broken.\n");
	ck_assert(!m.automatic);
	mail_in_free(&m);

	/* ISO-2022-JP in an encoded word, and a base64 Shift_JIS body */
	parse_ok("From: a@example.jp\n"
		 "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\n"
		 "Content-Type: text/plain; charset=Shift_JIS\n"
		 "Content-Transfer-Encoding: base64\n"
		 "\n"
		 "k/qWe4zq\n",
		 &m);
	ck_assert_str_eq(m.subject, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	ck_assert_str_eq(m.body, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	/* no Message-ID: one is made from the content, the same each time */
	ck_assert(strncmp(m.message_id, "desk-sha256-", 12) == 0);
	mail_in_free(&m);

	/* an 8-bit header in no declared charset */
	parse_ok("From: \"Ren\xe9\" <rene@example.fr>\nSubject: R\xe9sum\xe9\n\nbody\n", &m);
	ck_assert_str_eq(m.subject, "R\xc3\xa9sum\xc3\xa9");
	ck_assert_str_eq(m.from_name, "Ren\xc3\xa9");
	mail_in_free(&m);
}
END_TEST

START_TEST(mime_structure)
{
	struct mail_in m;
	/* plain preferred over HTML; the attachment kept with its 2231 name */
	parse_ok("From: Ann <ann@example.com>\n"
		 "Subject: parts\n"
		 "MIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=OUT\n"
		 "\n"
		 "--OUT\n"
		 "Content-Type: multipart/alternative; boundary=ALT\n"
		 "\n"
		 "--ALT\n"
		 "Content-Type: text/html; charset=utf-8\n"
		 "\n"
		 "<p>the <b>HTML</b></p>\n"
		 "--ALT\n"
		 "Content-Type: text/plain; charset=utf-8\n"
		 "\n"
		 "the plain text\n"
		 "--ALT--\n"
		 "--OUT\n"
		 "Content-Type: application/pdf\n"
		 "Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20bill.pdf\n"
		 "Content-Transfer-Encoding: base64\n"
		 "\n"
		 "JVBERi0xLjQK\n"
		 "--OUT\n"
		 "Content-Type: text/plain\n"
		 "Content-Disposition: attachment; filename=\"../../etc/passwd\"\n"
		 "\n"
		 "root:x:0:0\n"
		 "--OUT--\n",
		 &m);
	ck_assert_str_eq(m.body, "the plain text"); /* the newline is the boundary's */
	ck_assert_uint_eq(m.nparts, 2);
	ck_assert_str_eq(m.parts[0].filename, "na\xc3\xafve bill.pdf");
	ck_assert_str_eq(m.parts[0].content_type, "application/pdf");
	ck_assert_uint_eq(m.parts[0].size, 9);
	ck_assert(memcmp(m.parts[0].data, "%PDF-1.4\n", 9) == 0);
	ck_assert_str_eq(m.parts[1].filename, "passwd");
	mail_in_free(&m);

	/* HTML only: made text */
	parse_ok("From: b@example.com\nContent-Type: text/html; charset=iso-8859-1\n\n"
		 "<html><head><style>p{}</style></head><body><p>Bonjour&nbsp;Ren\xe9,</p>"
		 "<p>Merci</p></body></html>\n",
		 &m);
	ck_assert_str_eq(m.body, "Bonjour Ren\xc3\xa9,\n\nMerci");
	mail_in_free(&m);
}
END_TEST

START_TEST(parse_refusals)
{
	struct mail_in m;
	struct derr e = {0};
	ck_assert_int_eq(mail_parse("", 0, NULL, &m, &e), DESK_EINVAL);
	ck_assert_int_eq(mail_parse("hello there\n", 12, NULL, &m, &e), DESK_EINVAL);
	ck_assert_int_eq(mail_parse("\n\nbody only\n", 12, NULL, &m, &e), DESK_EINVAL);
	/* no address to answer: kept under the name given, or none */
	parse_ok("Subject: who?\n\nbody\n", &m);
	ck_assert_ptr_null(m.from_addr);
	ck_assert_str_eq(m.from_name, "(unknown sender)");
	mail_in_free(&m);
	parse_ok("From: \"MAILER DAEMON\" <>\nSubject: x\n\nbody\n", &m);
	ck_assert_ptr_null(m.from_addr);
	ck_assert_str_eq(m.from_name, "MAILER DAEMON");
	mail_in_free(&m);
	parse_ok("From: foo\n\nbody\n", &m);
	ck_assert_str_eq(m.from_name, "foo");
	mail_in_free(&m);
}
END_TEST

/* --- HTML to text ------------------------------------------------------ */

START_TEST(html_to_text)
{
	expect_html("<p>One</p><p>Two<br>Three</p>", "One\n\nTwo\nThree");
	expect_html("a  \n\t b", "a b");
	expect_html("<ul><li>x</li><li>y</li></ul>", "- x\n- y");
	expect_html("<a href=\"https://e.com/a?b=1&amp;c=2\">site</a>",
		    "site <https://e.com/a?b=1&c=2>");
	expect_html("<a href=\"https://e.com\">https://e.com</a>", "https://e.com");
	expect_html("<a href=\"mailto:x@e.com\">x@e.com</a>", "x@e.com");
	expect_html("<script>alert(1)</script><style>b{}</style>ok", "ok");
	expect_html("&lt;tag&gt; &amp; &#233;&#xe9; &euro; &bogus; &#150;",
		    "<tag> & \xc3\xa9\xc3\xa9 \xe2\x82\xac &bogus; \xe2\x80\x93");
	expect_html("<pre>  keep\n   this</pre>after", "  keep\n   this\n\nafter");
	expect_html("<!-- hidden -->shown <img src=x alt=\"logo\">", "shown [logo]");
	expect_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
		    "a b\nc");
	expect_html("1 < 2 and <unclosed", "1 < 2 and");
	expect_html("", "");
}
END_TEST

/* --- loop detection ---------------------------------------------------- */

static bool is_auto(const char *headers)
{
	char *text = xasprintf("%sSubject: s\n\nbody\n", headers);
	struct mail_in m;
	parse_ok(text, &m);
	bool a = m.automatic;
	mail_in_free(&m);
	free(text);
	return a;
}

START_TEST(loop_detection)
{
	ck_assert(!is_auto("From: a@example.com\n"));
	ck_assert(!is_auto("From: a@example.com\nAuto-Submitted: no\n"));
	ck_assert(!is_auto("From: a@example.com\nPrecedence: first-class\n"));
	ck_assert(!is_auto("From: a@example.com\nReturn-Path: <a@example.com>\n"));
	ck_assert(is_auto("From: a@example.com\nAuto-Submitted: auto-replied\n"));
	ck_assert(is_auto("From: a@example.com\nAuto-Submitted: auto-generated\n"));
	ck_assert(is_auto("From: a@example.com\nPrecedence: bulk\n"));
	ck_assert(is_auto("From: a@example.com\nPrecedence: junk\n"));
	ck_assert(is_auto("From: a@example.com\nPrecedence: list\n"));
	ck_assert(is_auto("Return-Path: <>\nFrom: a@example.com\n"));
	ck_assert(is_auto("From: a@example.com\nX-Autoreply: yes\n"));
	ck_assert(is_auto("From: a@example.com\nX-Autorespond: yes\n"));
	ck_assert(is_auto("From: a@example.com\nList-Id: <users.lists.example.com>\n"));
	ck_assert(is_auto("From: a@example.com\nX-Auto-Response-Suppress: All\n"));
	ck_assert(is_auto("From: MAILER-DAEMON@mx.example.com\n"));
	ck_assert(is_auto("From: Mail Delivery System <mailer-daemon@example.com>\n"));
	/* our own address writing to us is a loop */
	ck_assert(is_auto("From: Help <HELP@desk.test>\n"));
	ck_assert(is_auto("From: a@example.com\nContent-Type: multipart/report; "
			  "report-type=delivery-status; boundary=x\n"));
	/* RFC 3464/3834 as real MTAs write them */
	ck_assert(is_auto("Return-Path: <MAILER-DAEMON@mx.example.com>\nFrom: a@example.com\n"));
	ck_assert(is_auto("Return-Path: < >\nFrom: a@example.com\n"));
	ck_assert(is_auto("From: a@example.com\nX-Auto-Response-Suppress: DR, AutoReply\n"));
	ck_assert(is_auto("From: a@example.com\nX-Auto-Response-Suppress: RN,OOF\n"));
	ck_assert(!is_auto("From: a@example.com\nX-Auto-Response-Suppress: DR, RN\n"));
	ck_assert(is_auto("From: a@example.com\nAuto-Submitted: auto-notified\n"));
	ck_assert(!is_auto("From: a@example.com\nAuto-Submitted: No (a person)\n"));
	ck_assert(is_auto("From: a@example.com\nX-Failed-Recipients: b@example.org\n"));
	ck_assert(is_auto("From: <>\n"));
	ck_assert(!is_auto("From: Postmaster <postmaster@example.com>\n"));
	struct mail_in m;
	parse_ok("From: System Administrator <postmaster@example.net>\n"
		 "Subject: Undeliverable: Some test message\n\nx\n", &m);
	ck_assert(m.automatic);
	mail_in_free(&m);
	parse_ok("From: Ann <ann@example.com>\nSubject: Undeliverable parcel\n\nx\n", &m);
	ck_assert(!m.automatic); /* a customer writing about a parcel is a customer */
	mail_in_free(&m);
	parse_ok("From: j@example.com\n"
		 "Subject: AUTO: Smith, John is out of the office (returning 05/01)\n\nx\n", &m);
	ck_assert(m.automatic);
	mail_in_free(&m);
	/* a delivery report nested in a multipart/mixed */
	parse_ok("From: a@example.com\nSubject: s\nContent-Type: multipart/mixed; boundary=A\n\n"
		 "--A\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
		 "--B\nContent-Type: text/plain\n\nfailed\n"
		 "--B\nContent-Type: message/delivery-status\n\nAction: failed\n"
		 "--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <sent.1@desk.test>\n"
		 "Subject: x\n--B--\n--A--\n", &m);
	ck_assert(m.automatic);
	ck_assert_str_eq(m.auto_reason, "multipart/report");
	/* the returned message's id is a reference, for threading */
	ck_assert_uint_eq(m.nrefs, 1);
	ck_assert_str_eq(m.refs[0], "sent.1@desk.test");
	mail_in_free(&m);
}
END_TEST

/* --- what may go into a header ----------------------------------------- */

START_TEST(msgid_and_address_checks)
{
	ck_assert(mail_msgid_valid("abc.def@example.com"));
	ck_assert(mail_msgid_valid("a+b=c/d$x@[10.0.0.1]"));
	ck_assert(mail_msgid_valid("desk-sha256-0123@desk.invalid"));
	ck_assert(!mail_msgid_valid("s\r\nBcc: stranger@evil.example"));
	ck_assert(!mail_msgid_valid("a b@example.com"));
	ck_assert(!mail_msgid_valid("<a@example.com>"));
	ck_assert(!mail_msgid_valid("a..b@example.com"));
	ck_assert(!mail_msgid_valid(".a@example.com"));
	ck_assert(!mail_msgid_valid("noat"));
	ck_assert(!mail_msgid_valid("a@"));
	ck_assert(!mail_msgid_valid("a@b@c"));
	ck_assert(!mail_msgid_valid("caf\xc3\xa9@example.com"));
	ck_assert(!mail_msgid_valid(NULL));
	char *big = xmalloc(300);
	memset(big, 'a', 299);
	big[299] = '\0';
	big[10] = '@';
	ck_assert(!mail_msgid_valid(big));
	free(big);

	char *id = mail_msgid_from_header(" <x.1@example.com>\n ");
	ck_assert_str_eq(id, "x.1@example.com");
	free(id);
	ck_assert_ptr_null(mail_msgid_from_header("=?utf-8?q?<s=0D=0ABcc:_x@evil.example>?="));
	ck_assert_ptr_null(mail_msgid_from_header("x.1@example.com"));
	ck_assert_ptr_null(mail_msgid_from_header("<a@b> <c@d>"));

	ck_assert(mail_addr_valid("ann@example.com"));
	ck_assert(mail_addr_valid("z\xc3\xb6" "e@example.com"));
	ck_assert(!mail_addr_valid("ann@example.com\nBcc: x@y"));
	ck_assert(!mail_addr_valid("ann@example.com, b@example.com"));
	ck_assert(!mail_addr_valid("a b@example.com"));
	ck_assert(!mail_addr_valid("a\xc2\x85@example.com"));
	ck_assert(!mail_addr_valid("@example.com"));
	ck_assert(!mail_addr_valid("a@b@example.com"));

	char *c = mail_clean_line(" Ann\r\nBcc: x\x1b[31m\xc2\x9b\x7f ");
	ck_assert_str_eq(c, "Ann  Bcc: x [31m");
	free(c);

	const char *good = "From: a@b\nTo: c@d\nSubject: x\n folded\n\nBcc: body, not a header\n";
	struct derr e = {0};
	ck_assert_int_eq(mail_check_headers(good, strlen(good), &e), DESK_OK);
	const char *bcc = "From: a@b\nTo: c@d\nBcc: x@evil\n\nx\n";
	ck_assert_int_eq(mail_check_headers(bcc, strlen(bcc), &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "line 3 (\"Bcc\")") != NULL, "%s", e.msg);
	/* Cc is a header desk writes now, once; Bcc still never */
	const char *cc = "From: a@b\nTo: c@d\nCc: e@f, g@h\n\nx\n";
	ck_assert_int_eq(mail_check_headers(cc, strlen(cc), &e), DESK_OK);
	const char *cc2 = "From: a@b\nTo: c@d\nCc: e@f\nCc: x@evil\n\nx\n";
	ck_assert_int_eq(mail_check_headers(cc2, strlen(cc2), &e), DESK_EINVAL);
	const char *twice = "To: c@d\nTo: x@evil\n\nx\n";
	ck_assert_int_eq(mail_check_headers(twice, strlen(twice), &e), DESK_EINVAL);
	const char *cr = "To: c@d\nSubject: a\rBcc: x\n\nx\n";
	ck_assert_int_eq(mail_check_headers(cr, strlen(cr), &e), DESK_EINVAL);
	const char nul[] = "To: c@d\nSubject: a\0b\n\nx\n";
	ck_assert_int_eq(mail_check_headers(nul, sizeof nul - 1, &e), DESK_EINVAL);
	const char *noto = "From: a@b\n\nx\n";
	ck_assert_int_eq(mail_check_headers(noto, strlen(noto), &e), DESK_EINVAL);
}
END_TEST

START_TEST(subject_tag_and_sysexits)
{
	ck_assert_int_eq(mail_subject_ticket("Re: help [#123]"), 123);
	ck_assert_int_eq(mail_subject_ticket("[#7] [#8]"), 7);
	ck_assert_int_eq(mail_subject_ticket("[#] [#x1] [#12"), 0);
	ck_assert_int_eq(mail_subject_ticket("[#0]"), 0);
	ck_assert_int_eq(mail_subject_ticket(NULL), 0);
	ck_assert_int_eq(mail_sysexit(DESK_OK, false), 0);
	ck_assert_int_eq(mail_sysexit(DESK_EINVAL, true), 65);
	ck_assert_int_eq(mail_sysexit(DESK_EBUSY, false), 75);
	ck_assert_int_eq(mail_sysexit(DESK_EIO, false), 75);
	ck_assert_int_eq(mail_sysexit(DESK_ESCHEMA, false), 75);
	ck_assert_int_eq(mail_sysexit(DESK_ENOTFOUND, false), 75);
	ck_assert_int_eq(mail_sysexit(DESK_EUSAGE, false), 64);
}
END_TEST

/* --- threading and customers through a database ------------------------ */

START_TEST(new_ticket_and_customer)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: \"Ann Lee\" <ann@example.com>\n"
					    "Subject: Printer on fire\n"
					    "Message-ID: <m1@example.com>\n\nHelp!\r\n");
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	struct ticket t;
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_str_eq(t.subject, "Printer on fire");
	ck_assert_int_eq(t.channel, CH_EMAIL);
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_str_eq(t.customer_name, "Ann Lee");
	ck_assert_str_eq(t.customer_email, "ann@example.com");
	ck_assert_str_eq(t.queue, "general");
	int64_t cust = t.customer_id;
	ticket_free(&t);
	struct message msg;
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &msg, &e), DESK_OK);
	ck_assert_str_eq(msg.body, "Help!");
	ck_assert_str_eq(msg.message_id, "m1@example.com");
	ck_assert_str_eq(msg.mail_from, "ann@example.com");
	ck_assert(!msg.automatic);
	message_free(&msg);

	/* the same address in other case, no thread: a new ticket, same customer */
	r = mail_fx_ingest(&f, "From: ANN@EXAMPLE.COM\nSubject: Another\nMessage-ID: <m2@example.com>\n\n"
		       "x\n");
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_int_eq(t.customer_id, cust);
	ck_assert_str_eq(t.customer_name, "Ann Lee");
	ticket_free(&t);

	/* a customer first known without a name takes the display name */
	r = mail_fx_ingest(&f, "From: bob@example.com\nSubject: s\nMessage-ID: <b1@x>\n\nx\n");
	r = mail_fx_ingest(&f, "From: Bob Stone <bob@example.com>\nSubject: s\nMessage-ID: <b2@x>\n\nx\n");
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_str_eq(t.customer_name, "Bob Stone");
	ticket_free(&t);

	/* no subject, and --queue */
	struct ingest_opts o = {.queue = "billing"};
	bool fault;
	const char *nosubj = "From: c@example.com\nMessage-ID: <c1@x>\n\n\n";
	ck_assert_int_eq(core_ingest(&f.d, nosubj, strlen(nosubj), &o, &r, &fault, &e),
			 DESK_OK);
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_str_eq(t.subject, "(no subject)");
	ck_assert_str_eq(t.queue, "billing");
	ticket_free(&t);
	/* a bad queue name is the setup's fault: retried, not bounced */
	o.queue = "no spaces allowed";
	const char *q = "From: c@example.com\nMessage-ID: <c2@x>\n\nx\n";
	ck_assert_int_eq(core_ingest(&f.d, q, strlen(q), &o, &r, &fault, &e), DESK_EINVAL);
	ck_assert(!fault);
	ck_assert_int_eq(mail_sysexit(DESK_EINVAL, fault), 75);
	mail_fx_close(&f);
}
END_TEST

START_TEST(threading)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	struct ingest_result first = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Broken\n"
						"Message-ID: <t1@example.com>\n\none\n");
	int64_t id = first.ticket_id;
	/* In-Reply-To */
	struct ingest_result r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re: Broken\n"
					    "Message-ID: <t2@example.com>\n"
					    "In-Reply-To: <t1@example.com>\n\ntwo\n");
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, id);
	/* References only, unknown ids first, from someone else (a colleague) */
	r = mail_fx_ingest(&f, "From: cc@example.org\nSubject: fwd\nMessage-ID: <t3@example.com>\n"
		       "References: <t1@example.com> <zz@nowhere>\n\nthree\n");
	ck_assert_int_eq(r.ticket_id, id);
	/* the subject tag */
	char *tagged = xasprintf("From: ann@example.com\nSubject: more [#%lld]\n"
				 "Message-ID: <t4@example.com>\n\nfour\n",
				 (long long)id);
	r = mail_fx_ingest(&f, tagged);
	free(tagged);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert_int_eq(count_messages(&f, id), 4);
	/* a tag naming no ticket opens one */
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: [#999]\nMessage-ID: <t5@x>\n\nx\n");
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	ck_assert_int_ne(r.ticket_id, id);

	/* the same Message-ID again: ignored, nothing stored */
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re: Broken\n"
		       "Message-ID: <t2@example.com>\n\ntwo again\n");
	ck_assert_int_eq(r.outcome, INGEST_DUPLICATE);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert_int_eq(count_messages(&f, id), 4);

	/* solved: the customer's answer reopens it, through the usual path */
	struct derr e = {0};
	struct field_change ch[] = {{FIELD_ASSIGNEE, f.d.me.login}, {FIELD_STATUS, "solved"}};
	ck_assert_msg(core_apply(&f.d, id, ch, 2, &e) == DESK_OK, "%s", e.msg);
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re: Broken\n"
		       "Message-ID: <t6@example.com>\nIn-Reply-To: <t2@example.com>\n\nstill\n");
	struct ticket t;
	get_ticket(&f, id, &t);
	ck_assert_int_eq(t.status, ST_OPEN);
	ck_assert_int_eq(t.reopens, 1);
	ticket_free(&t);

	/* closed is final: a reply opens a new ticket */
	struct field_change s[] = {{FIELD_STATUS, "solved"}};
	struct field_change c[] = {{FIELD_STATUS, "closed"}};
	ck_assert_int_eq(core_apply(&f.d, id, s, 1, &e), DESK_OK);
	ck_assert_int_eq(core_apply(&f.d, id, c, 1, &e), DESK_OK);
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re: Broken\n"
		       "Message-ID: <t7@example.com>\nIn-Reply-To: <t6@example.com>\n\nagain\n");
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	ck_assert_int_ne(r.ticket_id, id);

	/* merged: the reply follows the merge */
	struct ingest_result a = mail_fx_ingest(&f, "From: d@example.com\nSubject: A\n"
					    "Message-ID: <ma@x>\n\na\n");
	struct ingest_result b = mail_fx_ingest(&f, "From: d@example.com\nSubject: B\n"
					    "Message-ID: <mb@x>\n\nb\n");
	ck_assert_msg(core_merge(&f.d, a.ticket_id, b.ticket_id, &e) == DESK_OK, "%s", e.msg);
	r = mail_fx_ingest(&f, "From: d@example.com\nSubject: Re: A\nMessage-ID: <mc@x>\n"
		       "In-Reply-To: <ma@x>\n\nc\n");
	ck_assert_int_eq(r.ticket_id, b.ticket_id);
	mail_fx_close(&f);
}
END_TEST

START_TEST(automatic_mail)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	struct ingest_result first = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Q\n"
						"Message-ID: <q1@x>\n\nq\n");
	struct derr e = {0};
	struct field_change ch[] = {{FIELD_ASSIGNEE, f.d.me.login}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_apply(&f.d, first.ticket_id, ch, 2, &e), DESK_OK);
	/* a vacation notice in the thread: stored, marked, reopens nothing */
	struct ingest_result r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Out of office\n"
					    "Auto-Submitted: auto-replied\nMessage-ID: <q2@x>\n"
					    "In-Reply-To: <q1@x>\n\naway\n");
	ck_assert(r.automatic);
	ck_assert_int_eq(r.ticket_id, first.ticket_id);
	struct ticket t;
	get_ticket(&f, first.ticket_id, &t);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.reopens, 0);
	ticket_free(&t);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	ck_assert(m.automatic);
	message_free(&m);
	/* a bounce out of the blue: its own ticket, tagged */
	r = mail_fx_ingest(&f, "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.com\n"
		       "Subject: Undelivered Mail\nMessage-ID: <bounce@x>\n\nbounced\n");
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_str_eq(t.tags[0], "auto");
	ticket_free(&t);
	mail_fx_close(&f);
}
END_TEST

static const char with_attachment[] =
	"From: ann@example.com\n"
	"Subject: invoice\n"
	"Message-ID: <att1@x>\n"
	"Content-Type: multipart/mixed; boundary=B\n"
	"\n"
	"--B\n"
	"Content-Type: text/plain\n"
	"\n"
	"see attached\n"
	"--B\n"
	"Content-Type: image/png\n"
	"Content-Disposition: attachment; filename=\"shot.png\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"iVBORw0KGgo=\n"
	"--B--\n";

START_TEST(attachments_in_database)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	struct ingest_result r = mail_fx_ingest(&f, with_attachment);
	struct derr e = {0};
	struct attachment_list l = {0};
	ck_assert_int_eq(store_attachments(f.d.st, r.msg_row, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].filename, "shot.png");
	ck_assert_str_eq(l.v[0].content_type, "image/png");
	ck_assert_int_eq(l.v[0].size, 8);
	ck_assert_ptr_null(l.v[0].path);
	void *data;
	size_t len;
	ck_assert_int_eq(store_attachment_content(f.d.st, l.v[0].id, &data, &len, &e), DESK_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert(memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
	free(data);
	attachment_list_free(&l);
	ck_assert_int_eq(store_ticket_attachments(f.d.st, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].message_id, r.msg_row);
	attachment_list_free(&l);
	/* the text is the mail's: the file is a row, listed by every front end */
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.body, "see attached");
	message_free(&m);
	mail_fx_close(&f);
}
END_TEST

START_TEST(attachments_in_directory)
{
	struct mail_fx f;
	mail_fx_open(&f, "mail:\n  attachments_dir: files\n", true);
	struct ingest_result r = mail_fx_ingest(&f, with_attachment);
	struct derr e = {0};
	struct attachment_list l = {0};
	ck_assert_int_eq(store_attachments(f.d.st, r.msg_row, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ptr_nonnull(l.v[0].path);
	char *prefix = xasprintf("%s/files/", f.dir);
	ck_assert(strncmp(l.v[0].path, prefix, strlen(prefix)) == 0);
	size_t len;
	char *content = read_file(l.v[0].path, &len);
	ck_assert_ptr_nonnull(content);
	ck_assert_uint_eq(len, 8);
	free(content);
	void *data;
	ck_assert_int_eq(store_attachment_content(f.d.st, l.v[0].id, &data, &len, &e), DESK_OK);
	ck_assert_ptr_null(data);
	free(prefix);
	attachment_list_free(&l);
	/* a folder that cannot be written: try again later, store nothing */
	free(f.cfg.mail.attachments_dir);
	f.cfg.mail.attachments_dir = xasprintf("%s/desk.db/files", f.dir);
	const char *again = "From: ann@example.com\nSubject: s\nMessage-ID: <att2@x>\n"
			    "Content-Type: multipart/mixed; boundary=B\n\n--B\n\ntext\n--B\n"
			    "Content-Disposition: attachment; filename=a.bin\n\nxyz\n--B--\n";
	bool fault;
	int rc = core_ingest(&f.d, again, strlen(again), NULL, &r, &fault, &e);
	ck_assert_int_eq(rc, DESK_EIO);
	ck_assert(!fault);
	ck_assert_int_eq(mail_sysexit(rc, fault), 75);
	int64_t row, tid;
	ck_assert_int_eq(store_mail_find_message_id(f.d.st, "att2@x", &row, &tid, &e), DESK_OK);
	ck_assert_int_eq(row, 0);
	mail_fx_close(&f);
}
END_TEST

/* --- outbound ---------------------------------------------------------- */

/* The header block of the last message the stand-in got (after its
 * ARG lines, up to the blank line). */
static char *last_headers(const char *sent)
{
	const char *start = sent, *p;
	while ((p = strstr(start, "--END--\n")) && p[8])
		start = p + 8;
	while (strncmp(start, "ARG ", 4) == 0)
		start = strchr(start, '\n') + 1;
	const char *end = strstr(start, "\n\n");
	return xstrndup(start, end ? (size_t)(end - start) : strlen(start));
}

START_TEST(copies_cc_in_header_bcc_in_envelope_only)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: Ann <ann@example.com>\nSubject: Hinge\n"
					    "Message-ID: <cc1@example.com>\n\nbroken\n");
	struct derr e = {0};
	int64_t row;
	ck_assert_msg(core_post_copies(&f.d, r.ticket_id, MSG_REPLY, "Copying them.",
				       "boss@example.com,ops@example.com Boss@example.com",
				       "audit@example.com", NULL, 0, &row, &e) == DESK_OK,
		      "%s", e.msg);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.cc, "boss@example.com, ops@example.com");
	ck_assert_str_eq(m.bcc, "audit@example.com");
	message_free(&m);
	ck_assert_msg(outbound_send(&f.d, row, &e) == DESK_OK, "%s", e.msg);
	char *out = sent_text(&f);
	/* the envelope: -t gone, every recipient named after -- */
	ck_assert_msg(strstr(out, "ARG -oi\nARG --\nARG ann@example.com\nARG boss@example.com\n"
				  "ARG ops@example.com\nARG audit@example.com\n") != NULL,
		      "%s", out);
	ck_assert_ptr_null(strstr(out, "ARG -t\n"));
	char *h = last_headers(out);
	ck_assert_msg(strstr(h, "\nCc: boss@example.com, ops@example.com\n") != NULL, "%s", h);
	ck_assert_msg(strstr(h, "Bcc") == NULL && strstr(h, "audit@") == NULL, "%s", h);
	free(h);
	free(out);
	mail_fx_close(&f);
}
END_TEST

START_TEST(forward_answer_comes_back_as_a_note)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: Ann <ann@example.com>\nSubject: Hinge\n"
					    "Message-ID: <fw1@example.com>\nX-Secret: raw\n\n"
					    "broken again\n");
	struct derr e = {0};
	int64_t row;
	ck_assert_msg(core_set_status(&f.d, r.ticket_id, ST_PENDING, &e) == DESK_OK, "%s",
		      e.msg);
	ck_assert_msg(core_forward(&f.d, r.ticket_id, "eng@example.org", NULL, 0,
				   "Engineering: is this the known hinge bug?", &row, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert_msg(outbound_send(&f.d, row, &e) == DESK_OK, "%s", e.msg);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_NOTE);
	ck_assert_str_eq(m.forward_to, "eng@example.org");
	ck_assert_str_eq(m.delivery, "sent");
	char *fwd_id = xstrdup(m.message_id);
	message_free(&m);
	char *out = sent_text(&f);
	char *h = last_headers(out);
	ck_assert_msg(strstr(h, "\nTo: eng@example.org\n") != NULL, "%s", h);
	/* nothing of the customer's headers or address in the header block */
	ck_assert_msg(strstr(h, "ann@example.com") == NULL && strstr(h, "X-Secret") == NULL &&
			      strstr(h, "fw1@example.com") == NULL && strstr(h, "Auto-Submitted") == NULL,
		      "%s", h);
	char *subj = xasprintf("\nSubject: Fwd: Hinge [#%lld]\n", (long long)r.ticket_id);
	ck_assert_msg(strstr(h, subj) != NULL, "%s", h);
	free(subj);
	free(h);
	/* the agent's words, then the thread quoted */
	ck_assert_msg(strstr(out, "Engineering: is this the known hinge bug?\n\nOn ") != NULL &&
			      strstr(out, "> broken again\n") != NULL,
		      "%s", out);
	free(out);

	/* engineering answers: a note with its sender, the ticket stays pending */
	char *answer = xasprintf("From: Eng <eng@example.org>\nSubject: Re: Fwd: Hinge\n"
				 "Message-ID: <eng1@example.org>\nIn-Reply-To: <%s>\n\n"
				 "Yes, fixed in 2.1.\n", fwd_id);
	struct ingest_result a = mail_fx_ingest(&f, answer);
	free(answer);
	ck_assert_int_eq(a.outcome, INGEST_APPENDED);
	ck_assert_int_eq(a.ticket_id, r.ticket_id);
	ck_assert_int_eq(store_mail_message_get(f.d.st, a.msg_row, &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_NOTE);
	ck_assert_str_eq(m.author, "eng@example.org");
	ck_assert_str_eq(m.body, "Yes, fixed in 2.1.");
	message_free(&m);
	struct ticket t;
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_int_eq(t.status, ST_PENDING);
	ticket_free(&t);
	/* and their next mail, answering their own, is a note too */
	struct ingest_result a2 = mail_fx_ingest(&f, "From: eng@example.org\nSubject: Re: Fwd: Hinge\n"
					     "Message-ID: <eng2@example.org>\n"
					     "In-Reply-To: <eng1@example.org>\n\nAlso 2.0.9.\n");
	ck_assert_int_eq(store_mail_message_get(f.d.st, a2.msg_row, &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_NOTE);
	message_free(&m);
	/* the customer's own answer still threads as the customer's */
	struct ingest_result c = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re: Hinge\n"
					    "Message-ID: <fw2@example.com>\n"
					    "In-Reply-To: <fw1@example.com>\n\nany news?\n");
	ck_assert_int_eq(store_mail_message_get(f.d.st, c.msg_row, &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_CUSTOMER);
	message_free(&m);
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_int_eq(t.status, ST_OPEN);
	ticket_free(&t);
	free(fwd_id);
	mail_fx_close(&f);
}
END_TEST

START_TEST(forward_refusals)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: Ann <ann@example.com>\nSubject: Hinge\n"
					    "Message-ID: <fw3@example.com>\n\nbroken\n");
	int64_t before = count_messages(&f, r.ticket_id);
	struct derr e = {0};
	int64_t row = 0;
	ck_assert_int_eq(core_forward(&f.d, r.ticket_id, "eng@example.org>\nBcc: x@y", NULL, 0,
				      "x", &row, &e),
			 DESK_EINVAL);
	ck_assert_int_eq(core_forward(&f.d, r.ticket_id, "-oQ@example.org", NULL, 0, "x", &row,
				      &e),
			 DESK_EINVAL);
	int64_t other = 999;
	ck_assert_int_eq(core_forward(&f.d, r.ticket_id, "eng@example.org", &other, 1, "x", &row,
				      &e),
			 DESK_ENOTFOUND);
	ck_assert_msg(strstr(e.msg, "has no message 999") != NULL, "%s", e.msg);
	ck_assert_int_eq(count_messages(&f, r.ticket_id), before);
	mail_fx_close(&f);
}
END_TEST

START_TEST(copies_bad_addresses_refused)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: Ann <ann@example.com>\nSubject: Hinge\n"
					    "Message-ID: <cc2@example.com>\n\nbroken\n");
	int64_t before = count_messages(&f, r.ticket_id);
	struct derr e = {0};
	int64_t row = 0;
	static const char *const bad[] = {"evil@example.com>\nBcc: x@y", "no-at-sign",
					  "-oQ/tmp@example.com", "a@b@c", "\"q\"@example.com"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ck_assert_int_eq(core_post_copies(&f.d, r.ticket_id, MSG_REPLY, "x", bad[i], NULL,
						  NULL, 0, &row, &e),
				 DESK_EINVAL);
		ck_assert_msg(strstr(e.msg, "Cc address") != NULL, "%s", e.msg);
		ck_assert_int_eq(core_post_copies(&f.d, r.ticket_id, MSG_REPLY, "x", NULL, bad[i],
						  NULL, 0, &row, &e),
				 DESK_EINVAL);
		ck_assert_msg(strstr(e.msg, "Bcc address") != NULL, "%s", e.msg);
	}
	/* a note is never mailed */
	ck_assert_int_eq(core_post_copies(&f.d, r.ticket_id, MSG_NOTE, "x", "b@example.com", NULL,
					  NULL, 0, &row, &e),
			 DESK_EINVAL);
	ck_assert_int_eq(count_messages(&f, r.ticket_id), before);
	/* a bad copy already stored (an import, an old desk) is refused at
	 * sending, whatever wrote it */
	struct message m = {.ticket_id = r.ticket_id, .kind = MSG_REPLY, .body = (char *)"x",
			    .message_id = (char *)"cc3@desk.test", .delivery = (char *)"queued",
			    .cc = (char *)"x@y>\nBcc: evil@z"};
	ck_assert_int_eq(store_message_insert(f.d.st, &m, &e), DESK_OK);
	char *text = NULL;
	size_t len = 0;
	ck_assert_int_eq(outbound_render(&f.d, m.id, &text, &len, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "refused to send") != NULL, "%s", e.msg);
	ck_assert_ptr_null(text);
	/* a blind copy sendmail would read as an option */
	m.cc = NULL;
	m.bcc = (char *)"-oQ@example.com";
	m.message_id = (char *)"cc4@desk.test";
	ck_assert_int_eq(store_message_insert(f.d.st, &m, &e), DESK_OK);
	ck_assert_int_eq(outbound_render(&f.d, m.id, &text, &len, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "Bcc address \"-oQ@example.com\"") != NULL, "%s", e.msg);
	ck_assert_ptr_null(text);
	mail_fx_close(&f);
}
END_TEST

START_TEST(reply_goes_out_and_answer_comes_back)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: \"Ann Lee\" <ann@example.com>\n"
					    "Subject: Caf\xc3\xa9 order\n"
					    "Message-ID: <o1@example.com>\n\nwhere is it?\n");
	struct derr e = {0};
	int64_t row;
	/* a reply with shell metacharacters and non-ASCII: only data */
	ck_assert_msg(post_reply(&f, r.ticket_id, "On its way $(touch pwned) `id` \xe2\x82\xac.\n", &row,
				&e) == DESK_OK,
		      "%s", e.msg);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "sent");
	ck_assert_ptr_null(m.delivery_error);
	ck_assert_ptr_nonnull(m.message_id);
	char *mid = xstrdup(m.message_id);
	message_free(&m);
	char *out = sent_text(&f);
	ck_assert(strstr(out, "ARG -t\nARG -oi\n") != NULL);
	char *h = last_header(out, "From");
	ck_assert_str_eq(h, "Desk Support <help@desk.test>");
	free(h);
	h = last_header(out, "To");
	ck_assert_str_eq(h, "Ann Lee <ann@example.com>");
	free(h);
	/* "Re: Café order [#ID]", the non-ASCII word as an encoded word */
	h = last_header(out, "Subject");
	char *tag = xasprintf(" [#%lld]", (long long)r.ticket_id);
	ck_assert_msg(strncmp(h, "Re: =?", 6) == 0 && strstr(h, "?= order") &&
			      strstr(h, tag),
		      "subject %s", h);
	free(tag);
	free(h);
	h = last_header(out, "In-Reply-To");
	ck_assert_str_eq(h, "<o1@example.com>");
	free(h);
	h = last_header(out, "References");
	ck_assert_str_eq(h, "<o1@example.com>");
	free(h);
	h = last_header(out, "Message-Id");
	char *bracketed = xasprintf("<%s>", mid);
	ck_assert_str_eq(h, bracketed);
	free(bracketed);
	free(h);
	ck_assert(strstr(out, "Auto-Submitted") == NULL);
	ck_assert(strstr(out, "$(touch pwned)") != NULL);
	free(out);
	char *pwned = xasprintf("%s/pwned", f.dir);
	ck_assert_int_ne(access(pwned, F_OK), 0);
	ck_assert_int_ne(access("pwned", F_OK), 0);
	free(pwned);

	/* the customer answers the reply: same ticket */
	char *answer = xasprintf("From: ann@example.com\nSubject: Re: order\n"
				 "Message-ID: <o2@example.com>\nIn-Reply-To: <%s>\n\nthanks\n",
				 mid);
	struct ingest_result back = mail_fx_ingest(&f, answer);
	ck_assert_int_eq(back.outcome, INGEST_APPENDED);
	ck_assert_int_eq(back.ticket_id, r.ticket_id);
	free(answer);
	free(mid);

	/* notes never leave; tickets of other channels neither */
	ck_assert_int_eq(core_post(&f.d, r.ticket_id, MSG_NOTE, "internal", NULL, 0, &row, &e),
			 DESK_OK);
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_ptr_null(m.delivery);
	message_free(&m);
	mail_fx_close(&f);
}
END_TEST

START_TEST(failed_sending_stays_for_outbox)
{
	struct mail_fx f;
	mail_fx_open(&f,
		     "mail:\n  support_address: help@desk.test\n"
		     "  sendmail: [/bin/sh, -c, \"echo 'mailq full' >&2; exit 75\"]\n",
		     true);
	struct ingest_result r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: s\n"
					    "Message-ID: <f1@x>\n\nx\n");
	struct derr e = {0};
	int64_t row;
	ck_assert_int_eq(post_reply(&f, r.ticket_id, "answer", &row, &e),
			 DESK_OK);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "failed");
	ck_assert_str_eq(m.delivery_error, "sh exited with status 75: mailq full");
	ck_assert_str_eq(m.body, "answer"); /* the reply is kept */
	message_free(&m);
	struct message_list l = {0};
	ck_assert_int_eq(store_outbox(f.d.st, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].id, row);
	message_list_free(&l);

	/* the MTA is back: retry takes it once, sends it, empties the outbox */
	free(f.cfg.mail.sendmail[2]);
	f.cfg.mail.sendmail[2] = xstrdup("cat >/dev/null");
	bool taken;
	ck_assert_int_eq(store_begin(f.d.st, &e), DESK_OK);
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(taken);
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(!taken); /* a second desk gets nothing */
	ck_assert_int_eq(store_commit(f.d.st, &e), DESK_OK);
	ck_assert_msg(outbound_send(&f.d, row, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_outbox(f.d.st, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 0);
	message_list_free(&l);

	/* a command that does not exist */
	free(f.cfg.mail.sendmail[0]);
	f.cfg.mail.sendmail[0] = xstrdup("/nonexistent/sendmail");
	ck_assert_int_eq(post_reply(&f, r.ticket_id, "again", &row, &e),
			 DESK_OK);
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "failed");
	ck_assert(strstr(m.delivery_error, "cannot run /nonexistent/sendmail") != NULL);
	message_free(&m);
	mail_fx_close(&f);
}
END_TEST

START_TEST(acknowledgements)
{
	struct mail_fx f;
	memset(&f, 0, sizeof f);
	char *dir = test_tmpdir();
	char *canned = xasprintf("%s/canned.yaml", dir);
	FILE *c = fopen(canned, "w");
	fputs("- name: got-it\n  title: Received\n"
	      "  body: \"Hello {{customer.first_name}}, ticket {{ticket.id}} is open.\"\n"
	      "- name: tag-only\n  title: Fields only\n  set: {tags: [mail]}\n",
	      c);
	fclose(c);
	char *yaml = xasprintf("canned: %s\n%s  acknowledge: {enabled: true, canned: got-it}\n",
			       canned, mail_fx_yaml);
	mail_fx_open(&f, yaml, true);
	setenv("DESK_NOW", "1800000000", 1);
	struct ingest_result r = mail_fx_ingest(&f, "From: Ann Lee <ann@example.com>\nSubject: one\n"
					    "Message-ID: <k1@x>\n\nx\n");
	ck_assert(r.acknowledged);
	ck_assert_str_eq(r.ack_error, "");
	char *out = sent_text(&f);
	char *want = xasprintf("Hello Ann, ticket %lld is open.", (long long)r.ticket_id);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	ck_assert(strstr(out, "Auto-Submitted: auto-replied") != NULL);
	free(want);
	free(out);
	ck_assert_int_eq(count_messages(&f, r.ticket_id), 2);
	/* within the hour: none */
	setenv("DESK_NOW", "1800003000", 1);
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: two\nMessage-ID: <k2@x>\n\nx\n");
	ck_assert(!r.acknowledged);
	/* never to machines, even after the hour */
	setenv("DESK_NOW", "1800007300", 1);
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: three\nPrecedence: bulk\n"
		       "Message-ID: <k3@x>\n\nx\n");
	ck_assert(!r.acknowledged);
	/* nor to replies in a thread */
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: Re\nIn-Reply-To: <k1@x>\n"
		       "Message-ID: <k4@x>\n\nx\n");
	ck_assert(!r.acknowledged);
	/* after the hour, a new ticket is acknowledged again */
	r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: five\nMessage-ID: <k5@x>\n\nx\n");
	ck_assert(r.acknowledged);
	/* a canned response that is not there: the mail is still taken */
	free(f.cfg.mail.ack_canned);
	f.cfg.mail.ack_canned = xstrdup("missing");
	r = mail_fx_ingest(&f, "From: new@example.com\nSubject: six\nMessage-ID: <k6@x>\n\nx\n");
	ck_assert(!r.acknowledged);
	ck_assert(strstr(r.ack_error, "no canned response \"missing\"") != NULL);
	/* one without a body has nothing to say: not sent, and why */
	free(f.cfg.mail.ack_canned);
	f.cfg.mail.ack_canned = xstrdup("tag-only");
	r = mail_fx_ingest(&f, "From: other@example.com\nSubject: seven\nMessage-ID: <k7@x>\n\nx\n");
	ck_assert(!r.acknowledged);
	ck_assert_msg(strstr(r.ack_error, "canned response \"tag-only\" (") != NULL &&
			      strstr(r.ack_error, "canned.yaml:4) has no body to send") != NULL,
		      "%s", r.ack_error);
	unsetenv("DESK_NOW");
	mail_fx_close(&f);
	free(yaml);
	free(canned);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- hostile mail ------------------------------------------------------- */

static const char hostile_mid[] =
	"From: =?utf-8?q?Eve=0D=0ABcc:_x@evil.example?= <eve@example.com>\n"
	"Subject: =?utf-8?q?hello=0D=0ABcc:_y@evil.example?=\n"
	"Message-ID: =?utf-8?q?<s=0D=0ABcc:_stranger@evil.example>?=\n"
	"References: =?utf-8?q?<r=0D=0ABcc:_z@evil.example>?= <ok.1@example.com>\n"
	"\n"
	"hi\n";

/* The headers of the last message in the stand-in's file, unfolded
 * names only: what sendmail -t would read. */
static bool sent_has_header(const char *out, const char *name)
{
	const char *last = out, *p;
	while ((p = strstr(last, "--END--")) && strstr(p + 7, "--END--"))
		last = p + 7;
	size_t n = strlen(name);
	for (p = last; p && *p && *p != '\n'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return true;
	return false;
}

START_TEST(no_header_injection)
{
	struct mail_fx f;
	memset(&f, 0, sizeof f);
	char *dir = test_tmpdir();
	char *canned = xasprintf("%s/canned.yaml", dir);
	FILE *c = fopen(canned, "w");
	fputs("- name: got-it\n  title: Received\n  body: \"Ticket {{ticket.id}} is open.\"\n", c);
	fclose(c);
	char *yaml = xasprintf("canned: %s\n%s  acknowledge: {enabled: true, canned: got-it}\n",
			       canned, mail_fx_yaml);
	mail_fx_open(&f, yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, hostile_mid);
	ck_assert(r.acknowledged);
	ck_assert_str_eq(r.ack_error, "");
	struct message m;
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	/* the id was no msg-id: a digest took its place */
	ck_assert_msg(strncmp(m.message_id, "desk-sha256-", 12) == 0, "%s", m.message_id);
	ck_assert(mail_msgid_valid(m.message_id));
	char *digest = xstrdup(m.message_id);
	message_free(&m);
	struct ticket t;
	get_ticket(&f, r.ticket_id, &t);
	ck_assert(strpbrk(t.subject, "\r\n") == NULL);
	ck_assert_str_eq(t.subject, "hello  Bcc: y@evil.example");
	ck_assert(strpbrk(t.customer_name, "\r\n") == NULL);
	ticket_free(&t);

	/* the acknowledgement, then a reply: no header desk did not write */
	int64_t row;
	ck_assert_int_eq(post_reply(&f, r.ticket_id, "answer", &row, &e),
			 DESK_OK);
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "sent");
	message_free(&m);
	char *out = sent_text(&f);
	ck_assert_msg(strstr(out, "\nBcc:") == NULL, "%s", out);
	ck_assert(!sent_has_header(out, "Bcc"));
	char *h = last_header(out, "In-Reply-To");
	char *want = xasprintf("<%s>", digest);
	ck_assert_str_eq(h, want);
	free(want);
	free(h);
	free(out);
	/* the same mail again is the same id: stored once */
	r = mail_fx_ingest(&f, hostile_mid);
	ck_assert_int_eq(r.outcome, INGEST_DUPLICATE);
	free(digest);
	mail_fx_close(&f);
	free(yaml);
	free(canned);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(refused_send_is_kept_in_outbox)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	struct ingest_result r = mail_fx_ingest(&f, "From: ann@example.com\nSubject: s\n"
					    "Message-ID: <rf1@x>\n\nx\n");
	/* the reply is stored for mail; then the address becomes one that
	 * could end its header (as an old import left it) before it is
	 * handed to sendmail: the last check refuses it */
	struct derr e = {0};
	int64_t row;
	ck_assert_int_eq(core_post(&f.d, r.ticket_id, MSG_REPLY, "answer", NULL, 0, &row, &e),
			 DESK_OK);
	struct ticket t;
	get_ticket(&f, r.ticket_id, &t);
	struct customer cu = {0};
	ck_assert_int_eq(store_customer_get(f.d.st, t.customer_id, &cu, &e), DESK_OK);
	free(cu.email);
	cu.email = xstrdup("ann@example.com\nBcc: x@evil.example");
	ck_assert_int_eq(store_customer_update(f.d.st, &cu, &e), DESK_OK);
	customer_free(&cu);
	ticket_free(&t);
	struct derr se = {0};
	outbound_send(&f.d, row, &se);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "failed");
	ck_assert_msg(strstr(m.delivery_error, "refused to send") != NULL, "%s",
		      m.delivery_error);
	message_free(&m);
	char *out = sent_text(&f);
	ck_assert_str_eq(out, ""); /* nothing reached sendmail */
	free(out);
	mail_fx_close(&f);
}
END_TEST

START_TEST(nul_in_body_is_visible)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	static const char mail[] = "From: ann@example.com\nSubject: s\nMessage-ID: <nul@x>\n"
				   "Content-Type: text/plain; charset=iso-8859-2\n\n"
				   "before\0after\n";
	struct ingest_result r;
	struct derr e = {0};
	bool fault;
	ck_assert_int_eq(core_ingest(&f.d, mail, sizeof mail - 1, NULL, &r, &fault, &e), DESK_OK);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	ck_assert_str_eq(m.body, "before\xef\xbf\xbd" "after");
	message_free(&m);
	mail_fx_close(&f);
}
END_TEST

static bool has_event(struct mail_fx *f, int64_t ticket, const char *field, const char *value)
{
	struct event_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(store_events(f->d.st, ticket, &l, &e), DESK_OK);
	bool found = false;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].field && strcmp(l.v[i].field, field) == 0 && l.v[i].new_value &&
		    strcmp(l.v[i].new_value, value) == 0)
			found = true;
	event_list_free(&l);
	return found;
}

static int64_t solved_ticket(struct mail_fx *f)
{
	struct ingest_result r = mail_fx_ingest(f, "From: Ann Lee <ann@example.com>\nSubject: Broken\n"
					   "Message-ID: <own1@example.com>\n\none\n");
	struct derr e = {0};
	struct field_change ch[] = {{FIELD_ASSIGNEE, f->d.me.login}, {FIELD_STATUS, "solved"}};
	ck_assert_msg(core_apply(&f->d, r.ticket_id, ch, 2, &e) == DESK_OK, "%s", e.msg);
	return r.ticket_id;
}

START_TEST(subject_tag_is_not_identity)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t id = solved_ticket(&f);
	/* a stranger's "[#N]": a ticket of their own, N untouched */
	char *tagged = xasprintf("From: Mallory <mallory@evil.example>\n"
				 "Subject: Re: Broken [#%lld]\nMessage-ID: <st1@evil.example>\n\n"
				 "send me the invoice\n",
				 (long long)id);
	struct ingest_result r = mail_fx_ingest(&f, tagged);
	free(tagged);
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	ck_assert_int_ne(r.ticket_id, id);
	char tag[32];
	snprintf(tag, sizeof tag, "#%lld", (long long)id);
	ck_assert(has_event(&f, r.ticket_id, "stranger_tag", tag));
	struct ticket t;
	get_ticket(&f, r.ticket_id, &t);
	ck_assert_str_eq(t.customer_email, "mallory@evil.example");
	ticket_free(&t);
	get_ticket(&f, id, &t);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.reopens, 0);
	ticket_free(&t);
	ck_assert_int_eq(count_messages(&f, id), 1);

	/* the customer's "[#N]", in any case: joins and reopens */
	tagged = xasprintf("From: ANN@example.com\nSubject: again [#%lld]\n"
			   "Message-ID: <own2@example.com>\n\ntwo\n",
			   (long long)id);
	r = mail_fx_ingest(&f, tagged);
	free(tagged);
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert(!r.stranger);
	get_ticket(&f, id, &t);
	ck_assert_int_eq(t.status, ST_OPEN);
	ticket_free(&t);

	/* someone else answering a mail desk sent on N: a reference, joins */
	struct derr e = {0};
	int64_t row;
	ck_assert_int_eq(post_reply(&f, id, "fixed?", &row, &e), DESK_OK);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, row, &m, &e), DESK_OK);
	char *cc = xasprintf("From: colleague@example.org\nSubject: Re: Broken\n"
			     "Message-ID: <cc1@example.org>\nIn-Reply-To: <%s>\n\nyes\n",
			     m.message_id);
	message_free(&m);
	r = mail_fx_ingest(&f, cc);
	free(cc);
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, id);
	/* ... shown as who wrote it, not as the customer */
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	char *ann[] = {"ann@example.com"}, *both[] = {"ann@example.com", "COLLEAGUE@example.org"};
	struct name_list l1 = {ann, 1, 1}, l2 = {both, 2, 2};
	ck_assert_str_eq(mail_foreign_sender(&m, &l1), "colleague@example.org");
	ck_assert_ptr_null(mail_foreign_sender(&m, &l2));
	message_free(&m);
	mail_fx_close(&f);
}
END_TEST

START_TEST(stranger_tag_join)
{
	struct mail_fx f;
	char *yaml = xasprintf("%s  stranger_tag: join\n", mail_fx_yaml);
	mail_fx_open(&f, yaml, true);
	free(yaml);
	ck_assert(f.cfg.mail.stranger_joins);
	int64_t id = solved_ticket(&f);
	char *tagged = xasprintf("From: mallory@evil.example\nSubject: Re: Broken [#%lld]\n"
				 "Message-ID: <sj1@evil.example>\n\nreopen please\n",
				 (long long)id);
	struct ingest_result r = mail_fx_ingest(&f, tagged);
	free(tagged);
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert(r.stranger);
	ck_assert(!r.acknowledged);
	struct ticket t;
	get_ticket(&f, id, &t);
	ck_assert_int_eq(t.status, ST_SOLVED); /* not reopened */
	ck_assert_int_eq(t.reopens, 0);
	struct message m;
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	ck_assert(m.automatic); /* held aside: not the customer's turn */
	char *own[] = {t.customer_email};
	struct name_list addrs = {own, 1, 1};
	ck_assert_str_eq(mail_foreign_sender(&m, &addrs), "mallory@evil.example");
	message_free(&m);
	ticket_free(&t);
	ck_assert(has_event(&f, id, "stranger", "mallory@evil.example"));
	/* a reply still answers the customer's own message */
	int64_t row;
	ck_assert_int_eq(post_reply(&f, id, "hi", &row, &e), DESK_OK);
	char *out = sent_text(&f);
	char *h = last_header(out, "In-Reply-To");
	ck_assert_str_eq(h, "<own1@example.com>");
	free(h);
	h = last_header(out, "To");
	ck_assert_str_eq(h, "Ann Lee <ann@example.com>");
	free(h);
	free(out);
	mail_fx_close(&f);

	/* a value that is neither */
	struct config cfg;
	ck_assert_int_ne(config_load_string("mail:\n  stranger_tag: maybe\n", "c.yaml", &cfg, &e),
			 DESK_OK);
	ck_assert_msg(strstr(e.msg, "new_ticket") && strstr(e.msg, "join"), "%s", e.msg);
	config_free(&cfg);
}
END_TEST

/* --- real bounces ------------------------------------------------------- */

static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *dh = opendir(dir);
	ck_assert_msg(dh != NULL, "%s", dir);
	struct dirent *de;
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0) {
			xgrow((void **)&v, &cap, *n + 1, sizeof *v);
			v[(*n)++] = xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(dh);
	return v;
}

START_TEST(real_bounces_are_automatic)
{
	const char *data = getenv("DESK_TESTDATA");
	ck_assert_msg(data != NULL, "DESK_TESTDATA is not set");
	/* one desk where each bounce comes alone, one where each comes in
	 * the thread of a solved ticket */
	struct mail_fx alone, thread;
	memset(&alone, 0, sizeof alone);
	char *dir = test_tmpdir();
	char *canned = xasprintf("%s/canned.yaml", dir);
	FILE *c = fopen(canned, "w");
	fputs("- name: got-it\n  title: Received\n  body: \"open\"\n", c);
	fclose(c);
	char *yaml = xasprintf("canned: %s\n%s  acknowledge: {enabled: true, canned: got-it}\n",
			       canned, mail_fx_yaml);
	mail_fx_open(&alone, yaml, true);
	mail_fx_open(&thread, yaml, true);
	int64_t id = solved_ticket(&thread);
	char *bdir = xasprintf("%s/mail/bounces", data);
	size_t n;
	char **files = list_dir(bdir, ".eml", &n);
	ck_assert_uint_ge(n, 30);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = read_file(files[i], &len);
		ck_assert_ptr_nonnull(text);
		struct ingest_result r;
		struct derr e = {0};
		bool fault;
		/* alone: a ticket of its own, never acknowledged */
		ck_assert_msg(core_ingest(&alone.d, text, len, NULL, &r, &fault, &e) == DESK_OK,
			      "%s: %s", files[i], e.msg);
		ck_assert_msg(r.automatic, "%s is not recognised as automatic", files[i]);
		ck_assert_msg(!r.acknowledged, "%s was acknowledged", files[i]);
		/* in the thread of a solved ticket: reopens nothing, no turn */
		char *threaded = xasprintf("In-Reply-To: <own1@example.com>\n%s", text);
		int rc = core_ingest(&thread.d, threaded, strlen(threaded), NULL, &r, &fault, &e);
		ck_assert_msg(rc == DESK_OK, "%s: %s", files[i], e.msg);
		if (r.outcome != INGEST_DUPLICATE) { /* two files may share an id */
			ck_assert_msg(r.ticket_id == id, "%s did not thread", files[i]);
			struct ticket t;
			get_ticket(&thread, id, &t);
			ck_assert_msg(t.status == ST_SOLVED && t.reopens == 0, "%s reopened",
				      files[i]);
			ticket_free(&t);
			struct sla_facts sf = {0};
			ck_assert_int_eq(store_sla_facts(thread.d.st, id, &sf, &e), DESK_OK);
			ck_assert_msg(sf.awaiting_since == 0, "%s is the customer's turn",
				      files[i]);
		}
		free(threaded);
		free(text);
		free(files[i]);
	}
	free(files);
	free(bdir);
	mail_fx_close(&thread);

	/* the customers' mail of the corpus is not machine mail: only these are */
	static const char *const machine[] = {
		"msg_05.txt", /* a delivery report (multipart/report) */
		"msg_16.txt", /* Precedence: bulk */
		"msg_25.txt", /* Auto-Submitted */
		"msg_32.txt", /* Precedence: bulk */
		"msg_33.txt", /* Precedence: bulk */
		"msg_43.txt", /* a delivery report */
		"msg_19.txt", /* not a message at all */
	};
	char *cdir = xasprintf("%s/mail/corpus", data);
	files = list_dir(cdir, ".txt", &n);
	ck_assert_uint_ge(n, 40);
	size_t people = 0;
	for (size_t i = 0; i < n; i++) {
		bool skip = false;
		for (size_t k = 0; k < ARRAY_LEN(machine); k++)
			skip |= strcmp(strrchr(files[i], '/') + 1, machine[k]) == 0;
		size_t len;
		char *text = read_file(files[i], &len);
		struct mail_in m;
		struct derr e = {0};
		if (!skip && mail_parse(text, len, "help@desk.test", &m, &e) == DESK_OK) {
			ck_assert_msg(!m.automatic, "%s taken for machine mail (%s)", files[i],
				      m.auto_reason);
			people++;
			mail_in_free(&m);
		}
		free(text);
		free(files[i]);
	}
	free(files);
	ck_assert_uint_ge(people, 35);
	free(cdir);
	mail_fx_close(&alone);
	free(yaml);
	free(canned);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(busy_database_is_tempfail)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, true);
	/* another desk holds the write lock for the whole attempt */
	struct store *other;
	struct derr e = {0};
	ck_assert_int_eq(store_open(f.db, 0, &other, &e), DESK_OK);
	ck_assert_int_eq(store_begin(other, &e), DESK_OK);
	struct ingest_result r;
	bool fault;
	const char *msg = "From: a@example.com\nSubject: s\nMessage-ID: <busy@x>\n\nx\n";
	int rc = core_ingest(&f.d, msg, strlen(msg), NULL, &r, &fault, &e);
	ck_assert_int_eq(rc, DESK_EBUSY);
	ck_assert(!fault);
	ck_assert_int_eq(mail_sysexit(rc, fault), 75);
	store_rollback(other);
	store_close(&other);
	/* and once free, the same message goes in */
	r = mail_fx_ingest(&f, msg);
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	mail_fx_close(&f);
}
END_TEST

/* --- delivery: the state a reply's mail is in ---------------------------- */

/* A stand-in sendmail with the given script body in the fixture's folder;
 * its path, to put in f->cfg.mail.sendmail[0]. */
static void use_sendmail(struct mail_fx *f, const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", f->dir, name);
	FILE *s = fopen(path, "w");
	ck_assert_ptr_nonnull(s);
	fprintf(s, "#!/bin/sh\n%s\n", body);
	fclose(s);
	chmod(path, 0755);
	free(f->cfg.mail.sendmail[0]);
	f->cfg.mail.sendmail[0] = path;
}

static char *delivery_of(struct mail_fx *f, int64_t row, char **error)
{
	struct message m;
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(f->d.st, row, &m, &e), DESK_OK);
	char *d = xstrdup(delivery_label(m.delivery));
	if (error)
		*error = m.delivery_error ? xstrdup(m.delivery_error) : NULL;
	message_free(&m);
	return d;
}

static void expect_delivery(struct mail_fx *f, int64_t row, const char *want, const char *error)
{
	char *err = NULL;
	char *d = delivery_of(f, row, &err);
	ck_assert_str_eq(d, want);
	if (error)
		ck_assert_msg(err && strstr(err, error), "error %s, want %s", err ? err : "(none)",
			      error);
	else
		ck_assert_ptr_null(err);
	free(d);
	free(err);
}

static int64_t new_channel_ticket(struct mail_fx *f, enum channel ch, const char *email)
{
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "a call";
	nt.body = "they called";
	nt.body_kind = MSG_CUSTOMER;
	nt.channel = ch;
	nt.customer_name = "Ann Lee";
	nt.customer_email = email;
	int64_t id = 0;
	struct derr e = {0};
	ck_assert_msg(core_ticket_new(&f->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

static int64_t stored_reply(struct mail_fx *f, int64_t ticket, const char *body)
{
	int64_t row = 0;
	struct derr e = {0};
	ck_assert_msg(core_post(&f->d, ticket, MSG_REPLY, body, NULL, 0, &row, &e) == DESK_OK,
		      "%s", e.msg);
	return row;
}

/* Which replies are for mail: the channel (mail.reply_by_mail), an
 * address, mail set up; the rest are "not mailed", with why. */
START_TEST(delivery_which_replies_are_mailed)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t mail = new_channel_ticket(&f, CH_EMAIL, "ann@example.com");
	int64_t web = new_channel_ticket(&f, CH_WEB, "ann@example.com");
	int64_t phone = new_channel_ticket(&f, CH_PHONE, "ann@example.com");
	int64_t chat = new_channel_ticket(&f, CH_CHAT, "bob@example.com");
	int64_t noaddr = new_channel_ticket(&f, CH_EMAIL, NULL);
	/* stored queued: core_post sends nothing by itself */
	expect_delivery(&f, stored_reply(&f, mail, "a"), "queued", NULL);
	expect_delivery(&f, stored_reply(&f, web, "b"), "queued", NULL);
	expect_delivery(&f, stored_reply(&f, phone, "c"), "not mailed", NULL);
	expect_delivery(&f, stored_reply(&f, chat, "d"), "not mailed", NULL);
	expect_delivery(&f, stored_reply(&f, noaddr, "e"), "not mailed", NULL);
	char *out = sent_text(&f);
	ck_assert_str_eq(out, ""); /* nothing went to sendmail yet */
	free(out);
	struct ticket t;
	char why[200];
	get_ticket(&f, phone, &t);
	ck_assert(!outbound_plan(&f.d, &t, why, sizeof why));
	ck_assert_str_eq(why, "replies on phone tickets are not mailed (mail.reply_by_mail)");
	/* the team's setting decides */
	f.cfg.mail.reply_by_mail[CH_PHONE] = true;
	ck_assert(outbound_plan(&f.d, &t, why, sizeof why));
	ck_assert_str_eq(why, "");
	expect_delivery(&f, stored_reply(&f, phone, "f"), "queued", NULL);
	ticket_free(&t);
	get_ticket(&f, noaddr, &t);
	ck_assert(!outbound_plan(&f.d, &t, why, sizeof why));
	ck_assert_str_eq(why, "the customer has no email address");
	ticket_free(&t);
	xfree(&f.cfg.mail.support_address);
	get_ticket(&f, mail, &t);
	ck_assert(!outbound_plan(&f.d, &t, why, sizeof why));
	ck_assert_str_eq(why, "mail is not set up (mail.support_address)");
	ticket_free(&t);
	mail_fx_close(&f);
}
END_TEST

/* queued -> failed (exit 75, with the reason) -> taken again -> sent;
 * a sent message is never taken again. */
START_TEST(delivery_failed_then_retried)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t id = new_channel_ticket(&f, CH_EMAIL, "ann@example.com");
	int64_t row = stored_reply(&f, id, "answer");
	expect_delivery(&f, row, "queued", NULL);
	char *good = xstrdup(f.cfg.mail.sendmail[0]);
	use_sendmail(&f, "sendmail-75", "cat >/dev/null; echo 'queue full' >&2; exit 75");
	struct derr e = {0};
	ck_assert_int_eq(outbound_send(&f.d, row, &e), DESK_EIO);
	ck_assert_str_eq(e.msg, "sendmail-75 exited with status 75: queue full");
	expect_delivery(&f, row, "failed", "sendmail-75 exited with status 75: queue full");
	bool taken = false;
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(taken);
	expect_delivery(&f, row, "queued", NULL);
	free(f.cfg.mail.sendmail[0]);
	f.cfg.mail.sendmail[0] = good;
	ck_assert_msg(outbound_send(&f.d, row, &e) == DESK_OK, "%s", e.msg);
	expect_delivery(&f, row, "sent", NULL);
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, time_now() + 1, &taken, &e),
			 DESK_OK);
	ck_assert(!taken);
	/* a command that exits 0 without reading the message did not take it */
	use_sendmail(&f, "sendmail-deaf", "exit 0");
	char *big = xmalloc(300000);
	memset(big, 'x', 299999);
	big[299999] = '\0';
	int64_t big_row = stored_reply(&f, id, big);
	free(big);
	ck_assert_int_eq(outbound_send(&f.d, big_row, &e), DESK_EIO);
	expect_delivery(&f, big_row, "failed", "sendmail-deaf stopped reading the message");
	mail_fx_close(&f);
}
END_TEST

/* A hung MTA: the job never blocks its caller; at the deadline it and
 * its children are killed and the mail is "failed" for retry; a console
 * that quits meanwhile leaves it queued, with a note, taken by the next
 * retry at once. */
static bool process_gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		char path[64], st[512] = "";
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		FILE *fp = fopen(path, "r");
		if (!fp)
			return true;
		size_t n = fread(st, 1, sizeof st - 1, fp);
		fclose(fp);
		st[n] = '\0';
		const char *close_paren = strrchr(st, ')');
		if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
			return true; /* dead, waiting for its parent to reap it */
		usleep(20000);
	}
	return false;
}

static pid_t read_pid(const char *path)
{
	for (int i = 0; i < 200; i++) {
		char *s = read_file(path, NULL);
		pid_t pid = s ? (pid_t)atoi(s) : 0;
		free(s);
		if (pid > 0)
			return pid;
		usleep(10000);
	}
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(delivery_hung_mta)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t id = new_channel_ticket(&f, CH_EMAIL, "ann@example.com");
	char *pidfile = xasprintf("%s/sleep.pid", f.dir);
	char *script = xasprintf("cat >/dev/null; sleep 120 & echo $! > '%s'; wait", pidfile);
	use_sendmail(&f, "sendmail-hung", script);
	f.cfg.mail.sendmail_timeout = 1;

	/* the console's way: start, then steps that never wait */
	int64_t row = stored_reply(&f, id, "answer");
	struct outbound_job *job = NULL;
	struct derr e = {0};
	ck_assert_msg(outbound_job_start(&f.d, row, &job, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(outbound_job_message(job), row);
	pid_t sleeper = read_pid(pidfile);
	ck_assert_int_gt(sleeper, 0);
	int64_t t0 = mono_ms();
	for (int i = 0; i < 5; i++)
		ck_assert(!outbound_job_step(job));
	ck_assert_int_lt(mono_ms() - t0, 200);
	expect_delivery(&f, row, "queued", NULL);
	/* quitting: stopped, still queued, with why */
	ck_assert_int_eq(outbound_job_abandon(&f.d, &job, &e), DESK_EIO);
	ck_assert_ptr_null(job);
	expect_delivery(&f, row, "queued", OUTBOUND_LEFT_NOTE);
	ck_assert(process_gone(sleeper));
	bool taken = false;
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(taken); /* at once, not after 10 minutes */
	expect_delivery(&f, row, "queued", NULL);
	/* a queued message without a note may be on its way: not taken */
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(!taken);

	/* the deadline: killed with its children, "failed" */
	unlink(pidfile);
	ck_assert_msg(outbound_job_start(&f.d, row, &job, &e) == DESK_OK, "%s", e.msg);
	sleeper = read_pid(pidfile);
	ck_assert_int_gt(sleeper, 0);
	t0 = mono_ms();
	while (!outbound_job_step(job)) {
		ck_assert_int_lt(mono_ms() - t0, 5000);
		usleep(10000);
	}
	ck_assert_int_ge(mono_ms() - t0, 500);
	ck_assert_int_eq(outbound_job_finish(&f.d, &job, &e), DESK_EIO);
	ck_assert_str_eq(e.msg, "sendmail-hung did not finish within 1 seconds "
				"(mail.sendmail_timeout)");
	expect_delivery(&f, row, "failed", "did not finish within 1 seconds");
	ck_assert(process_gone(sleeper));

	/* the CLI's way waits, at most the timeout */
	unlink(pidfile);
	row = stored_reply(&f, id, "again");
	t0 = mono_ms();
	ck_assert_int_eq(outbound_send(&f.d, row, &e), DESK_EIO);
	ck_assert_int_lt(mono_ms() - t0, 5000);
	expect_delivery(&f, row, "failed", "did not finish within 1 seconds");
	ck_assert(process_gone(read_pid(pidfile)));
	free(script);
	free(pidfile);
	mail_fx_close(&f);
}
END_TEST

/* Two desks at the same message: while one hands it to the MTA (its
 * lease runs), the other neither sends it nor takes it for a retry, even
 * named by id; once recorded "sent" nobody sends it again. */
START_TEST(delivery_one_sender_at_a_time)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t id = new_channel_ticket(&f, CH_EMAIL, "ann@example.com");
	char *pidfile = xasprintf("%s/sleep.pid", f.dir);
	char *script = xasprintf("cat >/dev/null; sleep 120 & echo $! > '%s'; wait", pidfile);
	use_sendmail(&f, "sendmail-hung", script);
	int64_t row = stored_reply(&f, id, "answer");
	struct outbound_job *job = NULL, *other = NULL;
	struct derr e = {0};
	ck_assert_msg(outbound_job_start(&f.d, row, &job, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(outbound_job_start(&f.d, row, &other, &e), DESK_EBUSY);
	ck_assert_ptr_null(other);
	ck_assert_int_eq(outbound_send(&f.d, row, &e), DESK_EBUSY);
	bool taken = true;
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, time_now() + 1, &taken, &e),
			 DESK_OK);
	ck_assert(!taken);
	expect_delivery(&f, row, "queued", NULL);
	ck_assert_int_eq(outbound_job_abandon(&f.d, &job, &e), DESK_EIO);
	/* abandoned: the lease ends with it, and one desk may send it */
	free(f.cfg.mail.sendmail[0]);
	f.cfg.mail.sendmail[0] = xstrdup("/bin/true");
	ck_assert_int_eq(store_mail_take_for_retry(f.d.st, row, 0, &taken, &e), DESK_OK);
	ck_assert(taken);
	ck_assert_msg(outbound_send(&f.d, row, &e) == DESK_OK, "%s", e.msg);
	expect_delivery(&f, row, "sent", NULL);
	ck_assert_int_eq(outbound_send(&f.d, row, &e), DESK_EBUSY);
	expect_delivery(&f, row, "sent", NULL);
	ck_assert(process_gone(read_pid(pidfile)));
	free(script);
	free(pidfile);
	mail_fx_close(&f);
}
END_TEST

/* A job that ended before the console quit is recorded as it ended. */
START_TEST(delivery_abandon_after_end_records_outcome)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, true);
	int64_t id = new_channel_ticket(&f, CH_EMAIL, "ann@example.com");
	int64_t row = stored_reply(&f, id, "answer");
	struct outbound_job *job = NULL;
	struct derr e = {0};
	ck_assert_msg(outbound_job_start(&f.d, row, &job, &e) == DESK_OK, "%s", e.msg);
	usleep(300000); /* the stand-in reads and ends at once */
	ck_assert_msg(outbound_job_abandon(&f.d, &job, &e) == DESK_OK, "%s", e.msg);
	expect_delivery(&f, row, "sent", NULL);
	/* a command that cannot start: failed at once, no job */
	free(f.cfg.mail.sendmail[0]);
	f.cfg.mail.sendmail[0] = xstrdup("/nonexistent/sendmail");
	row = stored_reply(&f, id, "again");
	ck_assert_msg(outbound_job_start(&f.d, row, &job, &e) == DESK_OK, "%s", e.msg);
	while (!outbound_job_step(job))
		usleep(10000);
	ck_assert_int_eq(outbound_job_finish(&f.d, &job, &e), DESK_EIO);
	expect_delivery(&f, row, "failed", "cannot run /nonexistent/sendmail");
	mail_fx_close(&f);
}
END_TEST

START_TEST(delivery_config_keys)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string("", "c.yaml", &c, &e), DESK_OK);
	ck_assert_int_eq(c.mail.sendmail_timeout, 60);
	ck_assert(c.mail.reply_by_mail[CH_EMAIL] && c.mail.reply_by_mail[CH_WEB]);
	ck_assert(!c.mail.reply_by_mail[CH_PHONE] && !c.mail.reply_by_mail[CH_CHAT] &&
		  !c.mail.reply_by_mail[CH_SOCIAL] && !c.mail.reply_by_mail[CH_WALK_IN]);
	config_free(&c);
	ck_assert_msg(config_load_string("mail:\n  sendmail_timeout: 2m\n"
					 "  reply_by_mail: {chat: true, web: false}\n",
					 "c.yaml", &c, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert_int_eq(c.mail.sendmail_timeout, 120);
	ck_assert(c.mail.reply_by_mail[CH_CHAT] && !c.mail.reply_by_mail[CH_WEB] &&
		  c.mail.reply_by_mail[CH_EMAIL]);
	config_free(&c);
	static const struct {
		const char *yaml, *msg;
	} bad[] = {
		{"mail:\n  sendmail_timeout: 10m\n",
		 "c.yaml:2:21: mail.sendmail_timeout is at most 300s (5m): a message queued "
		 "longer is taken for abandoned by desk outbox --retry"},
		{"mail:\n  sendmail_timeout: soon\n",
		 "c.yaml:2:21: expected a duration like 30m, 4h or 2d, got \"soon\""},
		{"mail:\n  reply_by_mail: {fax: true}\n",
		 "c.yaml:2:19: unknown key \"fax\" in mail.reply_by_mail; expected one of: "
		 "email, phone, chat, web, social, walk_in"},
		{"mail:\n  reply_by_mail: {phone: maybe}\n",
		 "c.yaml:2:26: expected a boolean (true/false/yes/no), got \"maybe\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(config_load_string(bad[i].yaml, "c.yaml", &c, &e), DESK_EINVAL);
		ck_assert_str_eq(e.msg, bad[i].msg);
		config_free(&c);
	}
}
END_TEST

Suite *suite_mail(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, charset_latin1_and_windows1252);
	tcase_add_test(tc, charset_japanese);
	tcase_add_test(tc, mh_in_reply_to_threads_by_its_id);
	tcase_add_test(tc, html_meta_charset_is_honoured);
	tcase_add_test(tc, raw_8bit_headers_use_the_declared_charset);
	tcase_add_test(tc, latin1_encoded_words_are_windows1252);
	tcase_add_test(tc, charset_invalid_and_unknown);
	tcase_add_test(tc, encoded_words_and_transfer_encodings);
	tcase_add_test(tc, mime_structure);
	tcase_add_test(tc, parse_refusals);
	tcase_add_test(tc, html_to_text);
	tcase_add_test(tc, loop_detection);
	tcase_add_test(tc, subject_tag_and_sysexits);
	tcase_add_test(tc, msgid_and_address_checks);
	suite_add_tcase(s, tc);
	tc = tcase_create("ingest");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, new_ticket_and_customer);
	tcase_add_test(tc, threading);
	tcase_add_test(tc, automatic_mail);
	tcase_add_test(tc, attachments_in_database);
	tcase_add_test(tc, attachments_in_directory);
	tcase_add_test(tc, reply_goes_out_and_answer_comes_back);
	tcase_add_test(tc, copies_cc_in_header_bcc_in_envelope_only);
	tcase_add_test(tc, copies_bad_addresses_refused);
	tcase_add_test(tc, forward_answer_comes_back_as_a_note);
	tcase_add_test(tc, forward_refusals);
	tcase_add_test(tc, failed_sending_stays_for_outbox);
	tcase_add_test(tc, acknowledgements);
	tcase_add_test(tc, busy_database_is_tempfail);
	tcase_add_test(tc, no_header_injection);
	tcase_add_test(tc, refused_send_is_kept_in_outbox);
	tcase_add_test(tc, nul_in_body_is_visible);
	tcase_add_test(tc, subject_tag_is_not_identity);
	tcase_add_test(tc, stranger_tag_join);
	tcase_add_test(tc, real_bounces_are_automatic);
	suite_add_tcase(s, tc);
	tc = tcase_create("delivery");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, delivery_which_replies_are_mailed);
	tcase_add_test(tc, delivery_failed_then_retried);
	tcase_add_test(tc, delivery_hung_mta);
	tcase_add_test(tc, delivery_one_sender_at_a_time);
	tcase_add_test(tc, delivery_abandon_after_end_records_outcome);
	tcase_add_test(tc, delivery_config_keys);
	suite_add_tcase(s, tc);
	return s;
}
