/* demo.c: desk init --demo: a believable month of a support team's work.
 *
 * Eight agents, forty customers and about two hundred tickets spread over
 * the 30 days before `now`, in every status, priority, channel and queue,
 * with threads written from hand-made templates per topic, internal
 * notes, tags, survey answers, SLA breaches, reopened and merged tickets.
 *
 * Everything comes from our own PRNG (splitmix64) seeded by `seed` and
 * from `now`, never from rand() or the clock, so the same seed and `now`
 * give the same database, byte for byte in desk export.  Each ticket is
 * first planned in memory as a timeline (messages and audit events at
 * past times), then all plans are written in creation order through the
 * store, in one transaction, the way the core actions would have left
 * them: core_post and friends stamp the present, so they cannot be used
 * to write the past. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sla.h"
#include "util.h"

#define MINUTE 60
#define HOUR 3600
#define DAY 86400
#define MAX_MSGS 8  /* a thread has 1 to 8 messages */
#define MAX_EVENTS 48
#define NO_AGENT (-1) /* the system: mail intake, auto-close */

/* --- the PRNG ----------------------------------------------------------- */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* lo..hi inclusive; the modulo bias is irrelevant at these sizes. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(struct rng *r, int percent)
{
	return rng_range(r, 0, 99) < percent;
}

/* An index into weights[0..n-1], with probability proportional to each. */
static int rng_weighted(struct rng *r, const int *weights, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += weights[i];
	int x = (int)rng_range(r, 0, total - 1);
	for (int i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

#define PICK(r, arr) ((arr)[rng_range((r), 0, (int64_t)ARRAY_LEN(arr) - 1)])

/* --- the team and its customers ----------------------------------------- */
static const struct {
	const char *login, *name, *sign;
	enum role role;
	int weight; /* share of the tickets they take */
} agents[] = {
	{"amelie", "Amélie Laurent", "Amélie", ROLE_SUPERVISOR, 1},
	{"ben", "Ben Okafor", "Ben", ROLE_AGENT, 5},
	{"chen", "Chen Jing", "Jing", ROLE_AGENT, 5},
	{"diego", "Diego Fernández", "Diego", ROLE_AGENT, 4},
	{"erin", "Erin Walsh", "Erin", ROLE_AGENT, 4},
	{"farid", "Farid Haddad", "Farid", ROLE_AGENT, 3},
	{"greta", "Greta Lindqvist", "Greta", ROLE_AGENT, 3},
	{"hiro", "Hiroshi Sato", "Hiroshi", ROLE_AGENT, 2},
};
#define SUPERVISOR 0

static const struct demo_customer {
	const char *name, *greet, *email, *phone, *org, *tier, *notes;
} customers[] = {
	{"José Martínez", "José", "jose@cafe-ole.example", "+34 612 345 678", "Café Olé", "pro",
	 NULL},
	{"Zoë Müller", "Zoë", "zoe.mueller@mueller-logistik.example", "+49 30 1234 5678",
	 "Müller Logistik GmbH", "enterprise",
	 "Main contact for Müller Logistik; contract renews every March."},
	{"François Dupont", "François", "f.dupont@mail.example", "+33 6 12 34 56 78", NULL, "free",
	 NULL},
	{"田中 美咲", "田中さん", "misaki.tanaka@sakura-design.example", "+81 90 1234 5678",
	 "Sakura Design 桜", "pro", "Prefers email, in English or Japanese (日本語)."},
	{"Søren Kjær", "Søren", "soren@kestrel-labs.example", "+45 20 12 34 56", "Kestrel Labs",
	 "enterprise", NULL},
	{"Priya Raman", "Priya", "priya.raman@kestrel-labs.example", "+91 98765 43210",
	 "Kestrel Labs", "enterprise", NULL},
	{"Liam O'Connor", "Liam", "liam.oconnor@mail.example", "+353 87 123 4567", NULL, "free",
	 NULL},
	{"Ana Sofía Herrera", "Ana", "ana@bloom-co.example", "+52 55 1234 5678", "Bloom & Co 🌸",
	 "pro", "Florist chain: very busy the week before Valentine's Day 🌹"},
	{"Björn Andersson", "Björn", "bjorn@nordic-crates.example", "+46 70 123 45 67",
	 "Nordic Crates AB", "pro", NULL},
	{"Chloé Bernard", "Chloé", "chloe@bloom-co.example", "+33 7 98 76 54 32", "Bloom & Co 🌸",
	 "pro", NULL},
	{"Mohammed Al-Farsi", "Mohammed", "m.alfarsi@dune-ventures.example", "+971 50 123 4567",
	 "Dune Ventures", "enterprise", "VIP: escalate any billing problem to Amélie."},
	{"Emily Chen", "Emily", "emily.chen@northwind.example", "+1 415 555 0134",
	 "Northwind Traders", "enterprise", NULL},
	{"Marcus Johnson", "Marcus", "marcus.j@northwind.example", "+1 312 555 0178",
	 "Northwind Traders", "enterprise", NULL},
	{"Olga Petrova", "Olga", "olga.petrova@mail.example", "+359 88 123 4567", NULL, "free",
	 NULL},
	{"Łukasz Nowak", "Łukasz", "lukasz@wisla-software.example", "+48 601 234 567",
	 "Wisła Software", "pro", NULL},
	{"Noémie Gauthier", "Noémie", "noemie.g@mail.example", "+1 514 555 0199", NULL, "pro",
	 "Writes in French or English; answer in the language she used."},
	{"Kwame Mensah", "Kwame", "kwame@goldcoast-imports.example", "+233 24 123 4567",
	 "Gold Coast Imports", "pro", NULL},
	{"Sarah Goldberg", "Sarah", "sarah@goldberg-partners.example", "+1 646 555 0102",
	 "Goldberg & Partners LLP", "enterprise", NULL},
	{"Tomás Ó Briain", "Tomás", "tomas.obriain@mail.example", NULL, NULL, "free", NULL},
	{"Yuki Nakamura", "Yuki", "yuki@sakura-design.example", "+81 80 9876 5432",
	 "Sakura Design 桜", "pro", NULL},
	{"Isabella Rossi", "Isabella", "isabella@trattoria-rossi.example", "+39 333 123 4567",
	 "Trattoria Rossi", "free", NULL},
	{"Mateus Silva", "Mateus", "mateus.silva@mail.example", "+55 11 91234 5678", NULL, "pro",
	 NULL},
	{"Hannah Schmidt", "Hannah", "hannah.schmidt@mueller-logistik.example", "+43 664 1234567",
	 "Müller Logistik GmbH", "enterprise", NULL},
	{"Ahmet Yılmaz", "Ahmet", "ahmet.yilmaz@mail.example", "+90 532 123 45 67", NULL, "free",
	 NULL},
	{"Grace Kim", "Grace", "grace@seoul-bites.example", "+82 10 1234 5678", "Seoul Bites",
	 "pro", NULL},
	{"David Cohen", "David", "david.cohen@dune-ventures.example", "+972 54 123 4567",
	 "Dune Ventures", "enterprise", NULL},
	{"Eva Novák", "Eva", "eva.novak@mail.example", "+420 601 123 456", NULL, "free",
	 "Had a billing mix-up in the spring: double-check every invoice."},
	{"Oliver Smith", "Oliver", "oliver@smith-hardware.example", "+44 7700 900123",
	 "Smith & Sons Hardware", "pro", NULL},
	{"Fatima Zahra Benali", "Fatima", "fz.benali@mail.example", "+212 6 12 34 56 78", NULL,
	 "pro", NULL},
	{"Nguyễn Văn An", "An", "an@saigon-roasters.example", "+84 91 234 5678",
	 "Saigon Coffee Roasters ☕", "pro", NULL},
	{"Rachel Green", "Rachel", "rachel.green@mail.example", "+1 212 555 0147", NULL, "free",
	 NULL},
	{"Pierre-Luc Tremblay", "Pierre-Luc", "pl@erable-media.example", "+1 418 555 0163",
	 "Érable Média", "pro", NULL},
	{"Ingrid Johansen", "Ingrid", "ingrid@nordic-crates.example", "+47 912 34 567",
	 "Nordic Crates AB", "pro", NULL},
	{"Carlos Mendoza", "Carlos", "carlos.mendoza@mail.example", NULL, NULL, "free", NULL},
	{"Aisha Bello", "Aisha", "aisha@lagos-threads.example", "+234 803 123 4567",
	 "Lagos Threads", "pro", NULL},
	{"Jan de Vries", "Jan", "jan.devries@kestrel-labs.example", "+31 6 12345678",
	 "Kestrel Labs", "enterprise", NULL},
	{"Mei Lin", "Mei", "mei.lin@mail.example", "+65 9123 4567", NULL, "pro", NULL},
	{"Robert Brown", "Robert", "rob.brown@northwind.example", "+1 617 555 0111",
	 "Northwind Traders", "enterprise",
	 "Head of IT at Northwind: wants a call before any change that could cause downtime."},
	{"Élodie Fournier", "Élodie", "elodie.f@mail.example", "+32 470 12 34 56", NULL, "free",
	 NULL},
	{"Sven Müller", "Sven", "sven@mueller-logistik.example", "+41 79 123 45 67",
	 "Müller Logistik GmbH", "enterprise", NULL},
};

/* --- what customers write about ----------------------------------------- */
/* Placeholders: {first} the customer's name as greeted, {name} their full
 * name, {agent} the writing agent, {order}, {invoice}, {amount},
 * {product}, {last4}.  Any other brace is text. */
/* One story a customer can tell: its subject, their first words, what
 * they add later, the first answer, the question that leaves it
 * pending, and the answer that solves it.  A text starting with '!'
 * carries its own greeting and sign-off (another language). */
struct variant {
	const char *subject, *opener, *followup, *reply, *ask, *resolve;
};

struct topic {
	const char *queue, *tag;
	struct variant v[3];
	const char *note[2]; /* internal notes */
	const char *hold;    /* the note when waiting on a third party */
};

static const struct topic topics[] = {
	{"billing", "refund", {
	 {"Refund for order {order}",
	  "Hello,\n\nI returned order {order} two weeks ago (the tracking says it arrived at your "
	  "warehouse on Monday) but I still haven't seen the refund of {amount} on my card ending "
	  "{last4}. Can you check what's happening?",
	  "I checked with my bank and they say nothing has been sent yet. Can you confirm the "
	  "refund reference?",
	  "Thanks for reaching out, and sorry for the wait. I can see the return for order {order} "
	  "arrived at our warehouse; I've asked the returns team to finish the inspection so the "
	  "refund can go out.",
	  "Could you send me the tracking number of your return parcel (or a photo of the "
	  "drop-off receipt)? That lets me find it in the warehouse system.",
	  "Good news: the refund of {amount} for order {order} has been issued to your card ending "
	  "{last4}. Depending on your bank it can take 3–5 business days to appear."},
	 {"Returning the {product}",
	  "Hi there,\n\nThe {product} I ordered isn't what I need, so I'd like to send it back and "
	  "get a refund. It's unused and still in the box. What do I need to do?",
	  "Thanks for the label. Does it matter which post office I use?",
	  "Sorry to hear the {product} wasn't right for you. I've attached a prepaid return label; "
	  "once the carrier scans the parcel we'll start the refund of {amount}.",
	  "Before I create the label: is the {product} still in its original packaging? Opened "
	  "items go back through a different returns centre.",
	  "Your return has arrived and the refund of {amount} is on its way to your card ending "
	  "{last4}. Thanks for your patience!"},
	 {"Cancelled order {order}, still charged",
	  "I was charged {amount} for order {order} but I cancelled it within the hour. I'd like "
	  "my money back, please.",
	  "Thanks. Any idea how long it will take to show up on my statement?",
	  "Sorry about that! The cancellation of order {order} went through, but the payment was "
	  "captured just before. I've asked our billing team to reverse it.",
	  "Could you tell me the date the {amount} charge appeared on your statement? I'd like to "
	  "match it to the right payment.",
	  "I've processed the refund of {amount} today. You'll get a confirmation email shortly; "
	  "let me know if anything looks off."}},
	 {"Checked the order history: one earlier refund, nothing unusual.",
	  "Refund under €200: fine per policy, no approval needed."},
	 "Waiting on the payment provider: the refund is stuck as \"pending\" on their side, case "
	 "opened with them."},
	{"billing", "invoice", {
	 {"Question about invoice {invoice}",
	  "Hi,\n\nOur accounting team noticed that invoice {invoice} says {amount}, but our plan "
	  "should be cheaper since we switched to annual billing. Could you explain the "
	  "difference?",
	  "Makes sense. Will the next invoice show the normal annual price?",
	  "Thanks for the details. Invoice {invoice} includes the prorated days before the switch "
	  "to annual billing, which is why it's higher this once.",
	  "Could you tell me which plan and billing period you expected to see? Then I can "
	  "compare it line by line.",
	  "I've double-checked invoice {invoice}: the {amount} is right and includes the prorated "
	  "days. From the next invoice on you'll see the annual price only."},
	 {"VAT number missing on invoice {invoice}",
	  "Hello,\n\nCould you please re-issue invoice {invoice} with our VAT number on it? "
	  "Without it we can't book it. The number is in our account settings.",
	  "Thanks! Could you also add our PO number \"PO-7731\"? Finance insists.",
	  "Happy to help with that. I'm checking with our billing team and will come back to you "
	  "with a corrected invoice.",
	  "Could you confirm the exact company name and address that should appear on the "
	  "invoice? I want the new one to be right the first time.",
	  "I've re-issued invoice {invoice} with your VAT number; the new PDF is under Billing → "
	  "Invoices, and attached here too."},
	 {"Need a copy of last month's invoice",
	  "Hi, I can't find last month's invoice on the billing page. Could you send me a PDF "
	  "copy? Thanks!",
	  "The PDF link says \"access denied\" when I open it. Is there another way to get it?",
	  "Of course! Last month's invoice is {invoice}; it's under Billing → Invoices when you "
	  "are signed in as the account owner.",
	  "Which email address should I send the invoice to? For security I can only send it to "
	  "a contact on the account.",
	  "Here is a copy of invoice {invoice} as a PDF. From now on invoices will also be emailed "
	  "to your billing contact."}},
	 {"Checked the billing history: nothing unusual on this account.",
	  "Finance says invoice corrections go out on Fridays."},
	 "Waiting on finance to check the invoice (they batch corrections on Fridays)."},
	{"billing", "payment", {
	 {"Charged twice this month",
	  "Hi,\n\nI was charged {amount} twice on the same day for my subscription. Please refund "
	  "the duplicate. Screenshot of my bank statement attached.",
	  "Still seeing both charges on my statement today.",
	  "I'm sorry about that. I can see two payments of {amount}; one is a duplicate from a "
	  "retry on our side. I've asked for it to be voided.",
	  "To match the charges, could you send me the last four digits of the card and the date "
	  "the payments appeared? Please don't send the full card number.",
	  "The duplicate charge of {amount} has been refunded; you'll see it back on your card "
	  "within a few days. Sorry for the trouble!"},
	 {"Unexpected charge of {amount}",
	  "There's a charge of {amount} on my card ending {last4} that I don't recognise. I'm on "
	  "the free plan! What is this for?",
	  "OK, thanks for explaining. Can you make sure it doesn't renew again?",
	  "Thanks for flagging this. That charge is the renewal of the Analytics add-on, which was "
	  "switched on for your account; I'm finding out how.",
	  "Did anyone else on your team open the billing page last month? The add-on was turned "
	  "on from inside the account.",
	  "I've turned the add-on off and refunded the renewal. You won't be charged again unless "
	  "you turn it back on."},
	 {"Double payment for order {order}",
	  "Your system took the payment twice for order {order}. This is the second time this "
	  "happens…",
	  "Is there anything I can do to stop this happening again?",
	  "I'm sorry, that shouldn't happen, let alone twice. I can see both payments for order "
	  "{order} and I've flagged the duplicate for a refund.",
	  "Could you check whether your bank shows both payments as completed, or one as "
	  "pending? A pending one usually drops off by itself.",
	  "The second payment for order {order} has been refunded. Our payments team also fixed "
	  "the retry that caused it."}},
	 {"Known issue with payment retries after 3-D Secure timeouts, see BILL-412.",
	  "Checked the payment provider's dashboard; every capture is listed in the order."},
	 "Payment provider is investigating the double capture; the refund can only go out once "
	 "they release the hold."},
	{"accounts", "login", {
	 {"Login page keeps reloading",
	  "Hi,\n\nSince this morning I can't log in. I type my email and password and the page "
	  "just reloads, without any error. I've tried Chrome and Firefox.",
	  "Tried again with cookies cleared, same thing.",
	  "Sorry you're stuck. This looks like a stale session cookie; could you try once in a "
	  "private window and tell me if that works?",
	  "Which browser version are you using? A screenshot of what you see after clicking "
	  "\"Sign in\" would help too.",
	  "Glad to hear you're back in! The reload loop came from a stale session cookie; the "
	  "latest release fixes it for everyone."},
	 {"Locked out of my account",
	  "I'm locked out: it says \"too many attempts, try again later\" but it's been hours. I "
	  "need the dashboard for a client meeting at 3pm!",
	  "It worked once on my phone but not on the laptop. Weird?",
	  "Sorry about that. I can see several failed attempts followed by a lock; I've lifted "
	  "the lock. Could you try again now?",
	  "Do you use a password manager? The failed attempts came in very quickly, which usually "
	  "means an old saved password is being filled in.",
	  "Your account is unlocked and the attempt counter reset. If it locks again, just reply "
	  "here."},
	 {"Google sign-in not working",
	  "Sign-in with Google doesn't work any more. It says \"account not linked\" although "
	  "I've always used it.",
	  "Still says \"account not linked\" this morning.",
	  "Thanks for the details. Your Google sign-in was unlinked when your email address "
	  "changed; I'm linking it again on our side.",
	  "Which Google address do you sign in with? It has to match the email on your account.",
	  "Your Google sign-in is linked again; the \"Sign in with Google\" button works as "
	  "before."}},
	 {"Checked the auth logs for this account; details in the engineering channel.",
	  "Customer verified with the email on the account."},
	 "Waiting on engineering to look at the sign-in logs."},
	{"accounts", "password", {
	 {"Password reset email never arrives",
	  "Hello, I've asked for a password reset five times and no email arrives (spam folder "
	  "checked too). My address is the one I'm writing from.",
	  "Still nothing in my inbox, not even in the promotions tab.",
	  "Thanks for letting us know. Your mail server bounced our reset emails; I've cleared "
	  "the bounce so the next one should arrive.",
	  "Could you check with your IT whether mail from our domain is blocked? Our emails to "
	  "your address are being rejected.",
	  "I've sent a fresh reset link, valid for 24 hours. Let me know once you're in!"},
	 {"Reset link expired",
	  "The reset link says \"expired\" even though I clicked it right away. Can you help?",
	  "Same thing with the new link, and I opened it within a minute.",
	  "Sorry about that! Reset links work once, and some mail scanners open them before you "
	  "do, which uses them up.",
	  "Does your company use a link-scanning mail filter? That would explain it.",
	  "I've sent a one-time code instead of a link, so your mail filter can't use it up. "
	  "Enter it on the reset page and you're in."},
	 {"Two-factor code not accepted",
	  "I got a new phone and my authenticator app codes aren't accepted any more. How do I get "
	  "back into my account?",
	  "I don't have the backup codes, sorry. I didn't know I had to save them.",
	  "No problem. For your security I need to verify your identity before I reset your "
	  "two-factor settings.",
	  "To verify it's you, could you reply with the date of your last invoice and the last "
	  "four digits of the card on file?",
	  "Identity confirmed: two-factor is reset. The next time you log in you'll set it up "
	  "again; please keep the backup codes somewhere safe."}},
	 {"Checked the mail logs for this address.",
	  "Sent the help article on account recovery as well."},
	 "Waiting for the customer's IT to allow our sending domain."},
	{"accounts", "gdpr", {
	 {"GDPR data deletion request",
	  "Hello,\n\nI'd like to close my account and have all my personal data deleted, as is my "
	  "right under the GDPR. Please confirm once it's done.",
	  "Will I get a confirmation once the data is gone?",
	  "We're sorry to see you go. I've started the deletion; until it goes through you can "
	  "still download your data from Settings → Export.",
	  "To be sure the request comes from the account owner, could you confirm it by replying "
	  "from the email address on the account?",
	  "Your account and personal data have been deleted. Invoices are kept for 10 years as the "
	  "law requires, but no longer linked to a login."},
	 {"Please delete our team account",
	  "We're moving to another tool. Please delete our account and all the data stored for "
	  "our team.",
	  "Before you delete it, can I still download our data?",
	  "Sorry to see you go! Deleting a team account removes every member's data too, so I "
	  "need the owner's confirmation first.",
	  "Could the account owner confirm the deletion by replying here? Only they can close a "
	  "team account.",
	  "Done: the team account is closed and the data removal scheduled; backups roll over "
	  "within 30 days."},
	 {"Suppression de mon compte",
	  "Bonjour, je souhaite supprimer mon compte et toutes mes données. Merci de me confirmer "
	  "la suppression.",
	  "Est-ce que je recevrai une confirmation ?",
	  "!Bonjour {first},\n\nMerci pour votre message. J'ai bien lancé la demande de "
	  "suppression ; vous recevrez une confirmation par e-mail.\n\nBien cordialement,\n{agent}",
	  "!Bonjour {first},\n\nPour être sûrs que la demande vient du titulaire du compte, "
	  "pourriez-vous la confirmer depuis l'adresse e-mail du compte ?\n\nBien cordialement,\n"
	  "{agent}",
	  "!Bonjour {first},\n\nVotre compte et vos données personnelles ont été supprimés. Les "
	  "factures sont conservées 10 ans, comme la loi l'exige.\n\nBien cordialement,\n{agent}"}},
	 {"Deletion logged in the GDPR register (30-day deadline).",
	  "Customer has an unpaid invoice; finance says OK to proceed."},
	 "Waiting for legal to confirm how long this customer's contracts must be kept."},
	{"shipping", "delay", {
	 {"Where is my order {order}?",
	  "Hi,\n\nI ordered the {product} ten days ago (order {order}) and the tracking hasn't "
	  "moved since it left your warehouse. Where is it?",
	  "The tracking still says the same. Can you call the carrier?",
	  "Thanks for your patience. Order {order} left our warehouse on time but the carrier "
	  "hasn't scanned it since. I've opened an investigation with them.",
	  "Could you confirm the delivery address, including the flat or floor number? The "
	  "carrier says the address may be incomplete.",
	  "We've sent a replacement by express; it should arrive tomorrow. No need to return the "
	  "first parcel if it turns up."},
	 {"Delivery late: need it by Friday",
	  "My parcel was supposed to arrive on Tuesday. The tracking now says \"delayed\" with no "
	  "explanation. I need it for a birthday on Friday 🎂 Is there anything you can do?",
	  "Any chance it arrives before Friday? Otherwise I'll have to buy something else 😬",
	  "Sorry for the delay! The carrier held your parcel at their hub because of a sorting "
	  "backlog; they expect to deliver within 2 business days.",
	  "Would you like us to send a replacement by express today, or wait for the original "
	  "parcel?",
	  "The carrier confirms order {order} was delivered this morning, just in time. Sorry "
	  "again for the wait; I've added a {amount} credit to your account."},
	 {"Order {order}: has it shipped?",
	  "Order {order}: the carrier's website has said \"label created\" for a week now. Has it "
	  "even shipped?",
	  "It arrived today, but the box was open. Everything seems to be there though.",
	  "Good question! Order {order} was packed on time, but the carrier missed the pick-up "
	  "that day. It's on the truck now; tracking should update tonight.",
	  "Is the address on the order still right? The carrier flagged it for a check before "
	  "dispatch.",
	  "Order {order} was delivered today according to the carrier. Thanks for bearing with "
	  "us!"}},
	 {"Carrier hub in Lyon backlogged since Monday, 14 tickets so far.",
	  "Express replacement approved by Amélie."},
	 "Waiting on the carrier's investigation (answer within 5 working days)."},
	{"shipping", "damaged", {
	 {"Item arrived broken",
	  "Hello,\n\nThe {product} arrived today damaged: one side is crushed, although the box "
	  "looked fine from the outside. Photos attached. What are my options?",
	  "Do I need to keep the broken one or can I throw it away?",
	  "I'm really sorry it arrived damaged. Thanks for the photos: that's clearly transport "
	  "damage, so I've arranged a replacement at no cost.",
	  "Could you send a photo of the damage and one of the shipping label on the box? The "
	  "carrier needs both for the claim.",
	  "Your replacement {product} has shipped (tracking in the confirmation email). You can "
	  "dispose of the damaged one, no need to send it back."},
	 {"Parts missing from order {order}",
	  "Order {order} arrived but two of the four screws are missing, so I can't put it "
	  "together.",
	  "Could you send a couple of extra screws? One rolled under the sofa 🙂",
	  "Sorry about the missing parts! I've asked the warehouse to post a spare-parts kit "
	  "today.",
	  "Which parts exactly are missing? The assembly guide numbers them (A1, A2, …), which "
	  "helps the warehouse pick the right ones.",
	  "The spare-parts kit was delivered according to the tracking. Tell us if anything else "
	  "is missing!"},
	 {"Glass cover shattered",
	  "The glass cover was shattered in the box 😞 I'd like a replacement, not a refund.",
	  "I've attached the photos you asked for.",
	  "Oh no, I'm sorry! A replacement it is: I've reserved one for you while the carrier "
	  "claim goes through.",
	  "Could you send a photo of the broken cover and of the box it came in? The carrier "
	  "needs both for the claim.",
	  "Your replacement cover is on its way, packed double this time. Tracking details are in "
	  "the confirmation email."}},
	 {"Third damaged {product} this week from the same batch; flagged to the warehouse lead.",
	  "Carrier claim filed with the photos."},
	 "Replacement out of stock until the supplier's next delivery (expected next week)."},
	{"shipping", "address-change", {
	 {"Change delivery address for order {order}",
	  "Hi! I just noticed I used my old address for order {order}. Could you change it before "
	  "it ships? New address below.",
	  "Sorry, one more thing: the door code is 4B12.",
	  "No problem: the order hadn't left the warehouse yet, so I've updated the delivery "
	  "address.",
	  "Could you send the full new address, with the postal code and a phone number the "
	  "driver can reach you on?",
	  "All set: order {order} will go to your new address. You'll get an updated tracking "
	  "email."},
	 {"Parcel going to my old city",
	  "I've moved and the parcel is going to the wrong city. Please help!",
	  "Thanks! Will the tracking number stay the same?",
	  "The parcel is already with the carrier, so I've asked them to redirect it. They charge "
	  "a small fee, which we'll cover this time.",
	  "What's the new address? Please include the postal code so the carrier can redirect the "
	  "parcel.",
	  "The carrier has redirected the parcel; it will arrive at your new address in 1–2 days, "
	  "same tracking number as before."},
	 {"Can I pick up my parcel instead?",
	  "Could I pick the order up at your shop instead of having it delivered? I'm never home "
	  "during the day.",
	  "Great. What are the shop's opening hours?",
	  "Yes, you can! I've switched order {order} to pick-up; we'll email you as soon as it's "
	  "ready.",
	  "Which of our shops is easiest for you? We have pick-up points in the city centre and "
	  "at the business park.",
	  "The parcel is ready for pick-up at our shop (Mon–Sat, 9:00–18:00); bring the order "
	  "number and an ID."}},
	 {"Checked the order in the warehouse system: not picked yet.",
	  "Customer confirmed from the email address on the order."},
	 "Waiting for the carrier to confirm the redirection."},
	{"technical", "bug", {
	 {"Export to CSV is broken",
	  "Hi,\n\nWhen I export the report to CSV, all accented names come out garbled "
	  "(\"JosÃ©\" instead of \"José\"). The file is saved as C:\\Users\\me\\Downloads\\report.csv "
	  "and it used to work last month.",
	  "Any update on this? My team relies on the export every Monday.",
	  "Thanks for the detailed report, I could reproduce it: the CSV is written as UTF-8 "
	  "without the byte-order mark Excel expects. I've filed it with our engineers.",
	  "Could you send us one of the exported files? It helps us check the encoding.",
	  "The fix is live in today's release: the export opens correctly in Excel, accents "
	  "included. Thanks for your patience!"},
	 {"App crashes when I upload a photo",
	  "The iOS app crashes every time I upload a photo from the gallery. iPhone 13, latest "
	  "app version. Steps:\n1. open a project\n2. tap \"Add photo\"\n3. pick any image → "
	  "crash",
	  "It also happens with photos taken directly with the camera.",
	  "Thanks for the steps, that's very helpful. I've passed it to our mobile team with your "
	  "device details.",
	  "Could you send us the app's diagnostic log? In the app: Settings → Help → \"Send "
	  "diagnostics\", then tell me the code it shows.",
	  "Version 4.12 of the app, out today, fixes the crash. Please update from the App Store "
	  "and tell me if you still see it."},
	 {"Dashboard shows wrong totals",
	  "The dashboard says we had 1,204 orders yesterday, but the orders page lists 1,187. "
	  "Which one is right?",
	  "So which number should I report to my boss? 😅",
	  "Good catch. The dashboard counts cancelled orders too, which the orders page leaves "
	  "out: that's the difference of 17.",
	  "Which time zone is your account set to? The dashboard's \"yesterday\" follows it, "
	  "which can shift a few orders.",
	  "We've changed the dashboard to leave cancelled orders out, so both numbers now match. "
	  "Sorry for the confusion!"}},
	 {"Reproduced on staging. Filed as BUG-2291 with steps and the customer's sample file.",
	  "Looked at the error tracker: same stack trace as last week's reports."},
	 "Waiting on engineering: the fix for BUG-2291 is planned for the next release."},
	{"technical", "api", {
	 {"API returns 500 on /v2/orders",
	  "Hi,\n\nSince about 09:00 UTC our integration gets HTTP 500 from GET "
	  "/v2/orders?status=open. Request ID of the last one: 7f3c-22ab. Nothing changed on our "
	  "side.",
	  "We're still getting the 500s, about 1 request in 5. Here's the body: {\"error\": "
	  "\"internal\", \"code\": 5001}",
	  "Thanks for the request ID, that helped a lot. The errors come from a timeout on a slow "
	  "query for large filters; our engineers are on it.",
	  "Could you share the exact request (method, path, headers without the API key) and the "
	  "UTC time of one failing call?",
	  "Engineering deployed a fix for the slow query; no more 500s since 14:20 UTC. Sorry for "
	  "the disruption."},
	 {"Webhook deliveries failing",
	  "Our webhook endpoint hasn't received any events since yesterday. Your dashboard shows "
	  "the deliveries as \"failed (timeout)\" but our server is up and answers in <100 ms.",
	  "Our firewall team says nothing changed. Can you give us the IPs you send from?",
	  "I've checked the delivery logs: our requests to your endpoint time out during the TLS "
	  "handshake. Could a firewall rule have changed on your side?",
	  "Could you tell me the exact URL of the endpoint, and whether it needs a client "
	  "certificate?",
	  "Deliveries are flowing again since your firewall change, and I've replayed the events "
	  "you missed."},
	 {"Rate limit too low for our integration",
	  "We keep hitting the rate limit (429) during our nightly sync. Can the limit be raised "
	  "for our account? We're on the Team plan.",
	  "The sync runs at 02:00 UTC and moves about 40k records.",
	  "Thanks for explaining your setup. I've asked our platform team whether we can raise "
	  "the limit for your account.",
	  "Roughly how many requests per second does the sync need, and at what time does it "
	  "run?",
	  "I've raised your rate limit to 20 requests per second; the nightly sync should now "
	  "finish without 429s."}},
	 {"Looked at the API logs for this account around the reported time.",
	  "Escalated to the platform on-call."},
	 "Waiting on the infrastructure team to roll out the fix."},
	{"general", "feature-request", {
	 {"Feature request: dark mode",
	  "Hi team,\n\nLove the product! One thing that would make my life easier: a dark mode. I "
	  "work late and the white screen is a bit much 🙂",
	  "Thanks! Is there a way to follow progress on this?",
	  "Thanks so much for the suggestion! I've shared it with our product team and added your "
	  "vote to the request.",
	  "Would a dark mode that follows your system setting work for you, or do you need a "
	  "separate switch?",
	  "Good news: dark mode just shipped in beta! Turn it on under Settings → Labs."},
	 {"Can you add recurring orders?",
	  "Would it be possible to set up recurring orders? We order the same supplies every two "
	  "weeks.",
	  "Also, it would be nice to choose the day of the week.",
	  "Great idea, and you're not the first to ask. I've linked your message to the existing "
	  "request so the product team sees how many people want it.",
	  "Could you tell me a bit more about how you'd use it? How often, and who on your team "
	  "would need it?",
	  "I've logged your request with the product team. I'll close this ticket for now, but "
	  "we'll email you when it ships."},
	 {"Suggestion: export to Google Sheets",
	  "It would be great if reports could go straight to Google Sheets instead of downloading "
	  "a CSV every time.",
	  "Even a daily CSV by email would help in the meantime.",
	  "Thanks for the idea! A Google Sheets connection is on our list; I've added your "
	  "vote.",
	  "Which reports would you want in Sheets? Knowing that helps the product team decide "
	  "where to start.",
	  "Until the Sheets connection is ready, you can schedule a daily CSV by email under "
	  "Reports → Schedule. I've logged your vote for the real thing."}},
	 {"Added the customer's vote to the feature request board.",
	  "Product says this is on the Q3 roadmap."},
	 "Parked until the product team's roadmap review."},
	{"general", "how-to", {
	 {"How do I add a team member?",
	  "Hello, how do I invite a colleague to our account? I can't find the option anywhere.",
	  "Thanks! And can I limit what they can see?",
	  "Great question! Go to Settings → Team → Invite and enter their email; they'll get an "
	  "invitation link valid for 7 days.",
	  "Are you the account owner? Only owners and admins see the Invite button.",
	  "You can set roles per member under Settings → Team → Roles: \"Viewer\" can only read. "
	  "Let us know if you need anything else!"},
	 {"Question about pricing plans",
	  "Hi, what's the difference between the Pro and Team plans? We're 6 people and growing.",
	  "And if we grow past 10 people?",
	  "Thanks for asking. The Team plan adds shared workspaces and roles; for 6 people it is "
	  "usually cheaper than separate Pro seats.",
	  "Do you need single sign-on? That's the one thing only the Business plan has.",
	  "I've switched you to the Team plan with a prorated credit for the rest of the month; "
	  "the new price shows on your next invoice."},
	 {"Is there a discount for non-profits?",
	  "We're a small non-profit (an animal shelter 🐾). Do you offer any discount?",
	  "Does the discount also apply to the add-ons?",
	  "We do! Registered non-profits get 50% off any plan.",
	  "Could you send us a document showing your non-profit status, such as a registration "
	  "certificate?",
	  "I've applied a 50% non-profit discount to your account; it'll show on your next "
	  "invoice. Thank you for the work you do!"}},
	 {"Pointed to the help article \"Inviting your team\".",
	  "Checked the customer's plan history before answering."},
	 "Waiting on sales to answer the customer's pricing question."},
};

static const char *const nudges[] = {
	"Hi again, any news on this? I haven't heard back yet.",
	"Just following up on my message from yesterday. Could someone take a look?",
	"Hello?? It's been days and this is still a problem for us.",
};
static const char *const reopeners[] = {
	"Sorry, I have to reopen this: the problem is back since this morning.",
	"Thanks, but that didn't actually fix it. The same thing happened again today.",
	"I thought this was sorted, but it's happening again 😕",
};
static const char *const duplicates[] = {
	"I wrote about this already but haven't had an answer, so I'm sending it again. Is anyone "
	"looking at it?",
	"Second email about the same thing, please see my previous message.",
};
static const char *const updates[] = {
	"Thanks for the update. I'm on it and will get back to you today.",
	"Quick update: I'm still waiting to hear back from the team. I'll let you know as soon "
	"as I have news.",
	"Thanks, that helps. I've added it to the case.",
};
static const char *const second_fixes[] = {
	"Sorry it came back! I found a second cause and fixed that too; it should stay sorted "
	"now.",
	"Thanks for telling us. The first fix only covered part of it; the rest is fixed now and "
	"I'll keep an eye on it this week.",
};
static const char *const notes_any[] = {
	"Customer called to chase; promised an update by end of day.",
	"Handing over for the evening shift: next step is in the last reply.",
	"Checked the customer's other tickets, nothing related.",
};
static const char *const greetings[] = {"Hi {first},", "Hello {first},", "Dear {first},"};
static const char *const signoffs[] = {"Best,\n{agent}", "Kind regards,\n{agent}",
				       "Thanks,\n{agent}", "Cheers,\n{agent}\nCustomer Support"};
/* What the shop sells: the goods that get lost, broken and returned. */
static const char *const products[] = {
	"Aurora desk lamp", "Trailhead backpack", "Nimbus kettle",
	"Atlas standing desk", "Pixel photo frame", "Solace headphones",
};
static const char *const counts[] = {"0", "1", "2", "3", "4"};

/* --- one ticket's plan -------------------------------------------------- */
struct dmsg {
	enum msg_kind kind;
	int agent; /* NO_AGENT for the customer */
	int64_t at;
	char *body;
	bool moved; /* a duplicate's message, stored on the ticket it merged into */
	int64_t id;
};

struct devent {
	int64_t at;
	int agent;
	const char *action, *field, *old_value, *new_value;
	int msg; /* index of the message it is about, or -1 */
};

struct dsurvey {
	enum survey_kind kind;
	int score;
	int64_t at;
};

struct plan {
	int order; /* generation index: ties in time keep this order */
	int topic, variant, cust, assignee;
	char *subject;
	enum status status, now_status;
	enum priority priority;
	enum channel channel;
	int64_t created, last, limit;
	int64_t first_response, first_solved, solved, closed;
	int reopens;
	const char *tags[4];
	size_t ntags;
	struct dmsg msgs[MAX_MSGS];
	size_t nmsgs;
	struct devent evs[MAX_EVENTS];
	size_t nevs;
	struct dsurvey svs[3];
	size_t nsvs;
	struct plan *merge_into; /* this duplicate was merged into that ticket */
	int64_t merged_at;
	/* template values */
	char order_no[16], invoice[24], amount[24], last4[8];
	const char *product;
	struct ticket t; /* as written; its strings are borrowed */
};

/* Moves the plan's clock forward by lo..hi, never reaching its limit
 * (a minute before now): a long gap on a young ticket shrinks instead. */
static void adv(struct plan *p, struct rng *r, int64_t lo, int64_t hi)
{
	int64_t gap = rng_range(r, lo, hi);
	int64_t room = p->limit - p->last;
	if (gap > room / 2)
		gap = room > 1 ? room / 2 : 0;
	p->last += gap;
}

static void expand(struct strbuf *b, const char *tmpl, const struct plan *p, int agent)
{
	const struct demo_customer *c = &customers[p->cust];
	const struct {
		const char *key, *value;
	} vars[] = {
		{"first", c->greet},
		{"name", c->name},
		{"agent", agent >= 0 ? agents[agent].sign : "Support"},
		{"order", p->order_no},
		{"invoice", p->invoice},
		{"amount", p->amount},
		{"product", p->product},
		{"last4", p->last4},
	};
	for (const char *s = tmpl; *s; s++) {
		const char *close = *s == '{' ? strchr(s, '}') : NULL;
		bool done = false;
		for (size_t i = 0; close && !done && i < ARRAY_LEN(vars); i++) {
			size_t n = strlen(vars[i].key);
			if ((size_t)(close - s - 1) == n && strncmp(s + 1, vars[i].key, n) == 0) {
				sb_add(b, vars[i].value);
				s = close;
				done = true;
			}
		}
		if (!done)
			sb_addc(b, *s);
	}
}

static void event(struct plan *p, int agent, const char *action, const char *field,
		  const char *old_value, const char *new_value, int msg)
{
	if (p->nevs == MAX_EVENTS)
		return; /* cannot happen with the flows below; never overflow */
	p->evs[p->nevs++] = (struct devent){p->last, agent, action, field, old_value, new_value,
					    msg};
}

static bool room(const struct plan *p, size_t n)
{
	return p->nmsgs + n <= MAX_MSGS;
}

/* Adds a message now, with the audit event core would write for it. */
static void message(struct plan *p, struct rng *r, enum msg_kind kind, int agent,
		    const char *text)
{
	if (!room(p, 1))
		return;
	struct strbuf b = {0};
	bool framed = kind == MSG_REPLY && text[0] != '!';
	if (text[0] == '!')
		text++;
	if (framed) {
		expand(&b, PICK(r, greetings), p, agent);
		sb_add(&b, "\n\n");
	}
	expand(&b, text, p, agent);
	if (framed) {
		sb_add(&b, "\n\n");
		expand(&b, PICK(r, signoffs), p, agent);
	} else if (kind == MSG_CUSTOMER && rng_chance(r, 60)) {
		sb_add(&b, "\n\n");
		expand(&b, rng_chance(r, 50) ? "Thanks,\n{name}" : "{name}", p, agent);
	}
	int i = (int)p->nmsgs++;
	p->msgs[i] = (struct dmsg){.kind = kind, .agent = agent, .at = p->last,
				   .body = sb_take(&b)};
	event(p, kind == MSG_CUSTOMER ? NO_AGENT : agent, msg_kind_name(kind), "message", NULL,
	      NULL, i);
}

/* A status change as core_change_status makes it: leaving solved for
 * anything but closed is a reopen, solving and closing stamp the time. */
static void set_status(struct plan *p, int agent, enum status to)
{
	enum status from = p->now_status;
	if (from == to)
		return;
	if (from == ST_SOLVED && to != ST_CLOSED && p->reopens + 1 < (int)ARRAY_LEN(counts)) {
		p->reopens++;
		event(p, agent, "reopen", "reopens", counts[p->reopens - 1], counts[p->reopens],
		      -1);
	}
	if (to == ST_SOLVED) {
		p->solved = p->last;
		if (!p->first_solved)
			p->first_solved = p->last;
	}
	if (to == ST_CLOSED)
		p->closed = p->last;
	event(p, agent, "set", "status", status_name(from), status_name(to), -1);
	p->now_status = to;
}

static int survey_score(struct rng *r, enum survey_kind k, bool unhappy)
{
	static const int csat[] = {5, 7, 13, 35, 40};             /* 1..5 */
	static const int ces[] = {4, 5, 8, 12, 20, 28, 23};      /* 1..7 */
	static const int nps[] = {3, 2, 2, 3, 3, 5, 6, 12, 20, 22, 22}; /* 0..10 */
	int s;
	switch (k) {
	case SURVEY_CSAT: s = 1 + rng_weighted(r, csat, 5); break;
	case SURVEY_CES: s = 1 + rng_weighted(r, ces, 7); break;
	default: s = rng_weighted(r, nps, 11); break;
	}
	/* a reopened ticket leaves a worse taste */
	int lo = k == SURVEY_NPS ? 0 : 1;
	return unhappy && s - 2 >= lo ? s - 2 : s;
}

static void add_surveys(struct plan *p, struct rng *r)
{
	static const struct {
		enum survey_kind kind;
		int percent;
	} asked[] = {{SURVEY_CSAT, 65}, {SURVEY_CES, 30}, {SURVEY_NPS, 25}};
	for (size_t i = 0; i < ARRAY_LEN(asked); i++) {
		if (!rng_chance(r, asked[i].percent))
			continue;
		adv(p, r, 20 * MINUTE, 20 * HOUR);
		p->svs[p->nsvs++] = (struct dsurvey){asked[i].kind,
						     survey_score(r, asked[i].kind, p->reopens > 0),
						     p->last};
	}
}

/* How old a ticket in this status is: recent for new ones (some left
 * too long, breaching their SLA), weeks for closed ones. */
static int64_t age_for(struct rng *r, enum status s)
{
	switch (s) {
	case ST_NEW:
		return rng_chance(r, 85) ? rng_range(r, 5 * MINUTE, 5 * HOUR)
					 : rng_range(r, 1 * DAY, 3 * DAY);
	case ST_OPEN:
		return rng_chance(r, 75) ? rng_range(r, 2 * HOUR, 60 * HOUR)
					 : rng_range(r, 3 * DAY, 12 * DAY);
	case ST_PENDING: return rng_range(r, 8 * HOUR, 8 * DAY);
	case ST_ON_HOLD:
		return rng_chance(r, 60) ? rng_range(r, 1 * DAY, 60 * HOUR)
					 : rng_range(r, 3 * DAY, 12 * DAY);
	case ST_SOLVED: return rng_range(r, 10 * HOUR, 12 * DAY);
	default: return rng_range(r, 7 * DAY, 29 * DAY);
	}
}

static int pick_customer(struct rng *r)
{
	/* paying customers write more */
	int w[ARRAY_LEN(customers)];
	for (size_t i = 0; i < ARRAY_LEN(customers); i++)
		w[i] = strcmp(customers[i].tier, "enterprise") == 0 ? 3
		       : strcmp(customers[i].tier, "pro") == 0	    ? 2
								    : 1;
	return rng_weighted(r, w, (int)ARRAY_LEN(customers));
}

static int pick_agent(struct rng *r)
{
	int w[ARRAY_LEN(agents)];
	for (size_t i = 0; i < ARRAY_LEN(agents); i++)
		w[i] = agents[i].weight;
	return rng_weighted(r, w, (int)ARRAY_LEN(agents));
}

/* Plans ticket number i.  The first few take each status, priority,
 * channel and topic in turn, so every one of them is present whatever
 * the seed. */
static void plan_ticket(struct plan *p, int i, struct rng *r, int64_t now)
{
	static const int status_w[ST__COUNT] = {8, 14, 10, 6, 27, 35};
	static const int prio_w[PRIO__COUNT] = {20, 50, 22, 8};
	static const int chan_w[CH__COUNT] = {45, 10, 15, 20, 6, 4};
	memset(p, 0, sizeof *p);
	p->order = i;
	p->assignee = NO_AGENT;
	p->status = (enum status)(i < ST__COUNT ? i : rng_weighted(r, status_w, ST__COUNT));
	p->priority = (enum priority)(i < PRIO__COUNT ? i : rng_weighted(r, prio_w, PRIO__COUNT));
	p->channel = (enum channel)(i < CH__COUNT ? i : rng_weighted(r, chan_w, CH__COUNT));
	p->topic = i < (int)ARRAY_LEN(topics) ? i : (int)rng_range(r, 0, ARRAY_LEN(topics) - 1);
	p->cust = pick_customer(r);
	p->now_status = ST_NEW;
	p->variant = (int)rng_range(r, 0, 2);
	const struct topic *tp = &topics[p->topic];
	const struct variant *v = &tp->v[p->variant];

	snprintf(p->order_no, sizeof p->order_no, "#%d", (int)rng_range(r, 100000, 999999));
	snprintf(p->invoice, sizeof p->invoice, "INV-%05d", (int)rng_range(r, 1000, 99999));
	static const char *const currencies[] = {"€", "$", "£"};
	snprintf(p->amount, sizeof p->amount, "%s%d.%02d", PICK(r, currencies),
		 (int)rng_range(r, 9, 480), (int)rng_range(r, 0, 19) * 5);
	snprintf(p->last4, sizeof p->last4, "%04d", (int)rng_range(r, 0, 9999));
	p->product = PICK(r, products);
	struct strbuf b = {0};
	expand(&b, v->subject, p, NO_AGENT);
	p->subject = sb_take(&b);

	p->limit = now - MINUTE;
	/* Urgent and high-priority work is mostly dealt with quickly: the
	 * backlog left over is mostly normal and low, as in a real team. */
	int64_t age = age_for(r, p->status), quick = 0;
	if (p->status < ST_SOLVED && p->priority == PRIO_URGENT && rng_chance(r, 80))
		quick = rng_range(r, 30 * MINUTE, 4 * HOUR);
	else if (p->status < ST_SOLVED && p->priority == PRIO_HIGH && rng_chance(r, 70))
		quick = rng_range(r, HOUR, 20 * HOUR);
	p->created = now - (quick && quick < age ? quick : age);
	if (p->created < now - 30 * DAY + HOUR)
		p->created = now - 30 * DAY + HOUR;
	/* The on-hold one of the first few has waited on a supplier for the
	 * whole month: the oldest ticket, #1, is live work, so a newcomer's
	 * first `desk reply 1` and `desk set 1 status=solved` just work. */
	if (i == ST_ON_HOLD)
		p->created = now - 30 * DAY + HOUR - MINUTE;
	p->last = p->created;

	bool reopen = p->status >= ST_OPEN && p->status != ST_PENDING && p->status != ST_ON_HOLD &&
		      (rng_chance(r, 8) || (i >= 6 && i < 9));
	int agent = pick_agent(r);
	bool by_agent = p->channel == CH_PHONE || p->channel == CH_WALK_IN;
	if (by_agent || p->status != ST_NEW || rng_chance(r, 25))
		p->assignee = agent;

	/* The ticket opens with the customer's words; a call or a visit is
	 * typed in by the agent who took it. */
	event(p, by_agent ? agent : NO_AGENT, "create", NULL, NULL, p->subject, -1);
	const char *opener = v->opener;
	char *prefixed = NULL;
	if (by_agent)
		opener = prefixed = xasprintf("%s %s", p->channel == CH_PHONE ? "(phone call)"
									   : "(at the front desk)",
					      opener);
	message(p, r, MSG_CUSTOMER, NO_AGENT, opener);
	free(prefixed);
	if (by_agent)
		event(p, agent, "claim", "assignee", NULL, agents[agent].login, -1);

	if (p->status == ST_NEW) {
		if (p->assignee >= 0 && !by_agent) {
			adv(p, r, 5 * MINUTE, 2 * HOUR);
			event(p, agent, "claim", "assignee", NULL, agents[agent].login, -1);
		}
		if (rng_chance(r, 25)) {
			adv(p, r, 2 * HOUR, DAY);
			message(p, r, MSG_CUSTOMER, NO_AGENT, PICK(r, nudges));
		}
		return;
	}

	/* Room kept for how the story ends. */
	size_t tail = (p->status >= ST_PENDING ? 1 : 0) + (reopen ? 2 : 0) +
		      (p->status == ST_OPEN ? 1 : 0);
	if (!by_agent) {
		adv(p, r, 2 * MINUTE, 3 * HOUR);
		if (rng_chance(r, 70))
			event(p, agent, "claim", "assignee", NULL, agents[agent].login, -1);
		else
			event(p, SUPERVISOR, "set", "assignee", NULL, agents[agent].login, -1);
	}
	if (rng_chance(r, 20) && room(p, 2 + tail)) {
		adv(p, r, 5 * MINUTE, HOUR);
		message(p, r, MSG_NOTE, agent, PICK(r, tp->note));
	}
	/* One in ten first answers comes late: an SLA breach in the metrics. */
	if (rng_chance(r, 10))
		adv(p, r, 9 * HOUR, 30 * HOUR);
	else
		adv(p, r, 10 * MINUTE, 5 * HOUR);
	/* Some answers settle the matter at once: first contact resolution. */
	bool one_touch = p->status >= ST_SOLVED && !reopen && rng_chance(r, 40);
	message(p, r, MSG_REPLY, agent, one_touch ? v->resolve : v->reply);
	p->first_response = p->last;
	set_status(p, agent, ST_OPEN);
	p->tags[p->ntags++] = tp->tag;
	if (strcmp(customers[p->cust].tier, "enterprise") == 0 && rng_chance(r, 60))
		p->tags[p->ntags++] = "vip";
	if (p->priority == PRIO_URGENT)
		p->tags[p->ntags++] = "escalated";
	for (size_t k = 0; k < p->ntags; k++)
		event(p, agent, "set", "tags", NULL, p->tags[k], -1);
	if (p->priority >= PRIO_HIGH && rng_chance(r, 40))
		event(p, agent, "set", "priority", "normal", priority_name(p->priority), -1);

	int exchanges = one_touch ? 0 : (int)rng_range(r, 0, 2);
	for (int k = 0; k < exchanges && room(p, 2 + tail); k++) {
		adv(p, r, HOUR, DAY);
		message(p, r, MSG_CUSTOMER, NO_AGENT, k == 0 ? v->followup : PICK(r, nudges));
		adv(p, r, 15 * MINUTE, 5 * HOUR);
		message(p, r, MSG_REPLY, agent, PICK(r, updates));
		if (rng_chance(r, 25) && room(p, 1 + tail)) {
			adv(p, r, MINUTE, HOUR);
			message(p, r, MSG_NOTE, agent, PICK(r, notes_any));
		}
	}

	switch (p->status) {
	case ST_PENDING:
		adv(p, r, 30 * MINUTE, 6 * HOUR);
		message(p, r, MSG_REPLY, agent, v->ask);
		set_status(p, agent, ST_PENDING);
		return;
	case ST_ON_HOLD:
		adv(p, r, 30 * MINUTE, 6 * HOUR);
		message(p, r, MSG_NOTE, agent, tp->hold);
		set_status(p, agent, ST_ON_HOLD);
		return;
	case ST_OPEN:
		if (reopen) {
			adv(p, r, 30 * MINUTE, 8 * HOUR);
			message(p, r, MSG_REPLY, agent, v->resolve);
			set_status(p, agent, ST_SOLVED);
			adv(p, r, 2 * HOUR, 2 * DAY);
			message(p, r, MSG_CUSTOMER, NO_AGENT, PICK(r, reopeners));
			set_status(p, NO_AGENT, ST_OPEN);
		} else if (rng_chance(r, 35)) {
			adv(p, r, HOUR, DAY);
			message(p, r, MSG_CUSTOMER, NO_AGENT, PICK(r, nudges));
		}
		return;
	default: /* solved or closed */
		adv(p, r, 30 * MINUTE, 8 * HOUR);
		if (!one_touch)
			message(p, r, MSG_REPLY, agent, v->resolve);
		set_status(p, agent, ST_SOLVED);
		if (reopen) {
			adv(p, r, 2 * HOUR, 2 * DAY);
			message(p, r, MSG_CUSTOMER, NO_AGENT, PICK(r, reopeners));
			set_status(p, NO_AGENT, ST_OPEN);
			adv(p, r, 30 * MINUTE, 6 * HOUR);
			message(p, r, MSG_REPLY, agent, PICK(r, second_fixes));
			set_status(p, agent, ST_SOLVED);
		}
		add_surveys(p, r);
		if (p->status == ST_CLOSED) {
			/* closed by the nightly job a few days after solving */
			adv(p, r, 3 * DAY, 4 * DAY);
			set_status(p, NO_AGENT, ST_CLOSED);
		}
		return;
	}
}

/* A customer writing again in a new mail about a ticket still open: an
 * agent merges the new ticket into the old one, as core_merge would. */
static void plan_duplicate(struct plan *p, int i, struct plan *into, struct rng *r,
			   int64_t now)
{
	memset(p, 0, sizeof *p);
	p->order = i;
	p->topic = into->topic;
	p->cust = into->cust;
	p->assignee = into->assignee;
	p->status = p->now_status = ST_NEW;
	p->priority = into->priority;
	p->channel = CH_EMAIL;
	memcpy(p->order_no, into->order_no, sizeof p->order_no);
	memcpy(p->invoice, into->invoice, sizeof p->invoice);
	memcpy(p->amount, into->amount, sizeof p->amount);
	memcpy(p->last4, into->last4, sizeof p->last4);
	p->product = into->product;
	p->subject = xasprintf("Re: %s", into->subject);
	p->limit = now - HOUR;
	p->created = into->last + rng_range(r, 20 * MINUTE, 3 * HOUR);
	if (p->created > now - 3 * HOUR)
		p->created = now - 3 * HOUR;
	p->last = p->created;
	event(p, NO_AGENT, "create", NULL, NULL, p->subject, -1);
	message(p, r, MSG_CUSTOMER, NO_AGENT, PICK(r, duplicates));
	p->msgs[0].moved = true;
	adv(p, r, 5 * MINUTE, HOUR);
	p->merge_into = into;
	p->merged_at = p->last;
	p->status = p->now_status = ST_CLOSED;
	p->closed = p->last;
}

static int by_time(const void *a, const void *b)
{
	const struct plan *x = *(struct plan *const *)a, *y = *(struct plan *const *)b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* --- writing ------------------------------------------------------------ */
struct ids {
	int64_t agent[ARRAY_LEN(agents)];
	int64_t customer[ARRAY_LEN(customers)];
};

static int64_t agent_id(const struct ids *ids, int agent)
{
	return agent >= 0 ? ids->agent[agent] : 0;
}

static int write_people(struct desk *d, struct ids *ids, struct rng *r, int64_t now,
			struct derr *e)
{
	int rc;
	for (size_t i = 0; i < ARRAY_LEN(agents); i++) {
		struct agent a = {0};
		rc = store_agent_by_login(d->st, agents[i].login, &a, e);
		if (rc == DESK_OK) { /* already there (perhaps the admin) */
			ids->agent[i] = a.id;
			agent_free(&a);
			continue;
		}
		if (rc != DESK_ENOTFOUND)
			return rc;
		a = (struct agent){.login = (char *)agents[i].login, .name = (char *)agents[i].name,
				   .role = agents[i].role, .active = true,
				   .created_at = now - 120 * DAY + (int64_t)i * 3 * DAY};
		if ((rc = store_agent_insert(d->st, &a, e)))
			return rc;
		ids->agent[i] = a.id;
		char field[96];
		snprintf(field, sizeof field, "agent:%s", agents[i].login);
		struct event ev = {.agent_id = d->me.id, .at = a.created_at, .action = "agent",
				   .field = field, .new_value = (char *)role_name(agents[i].role)};
		if ((rc = store_event_insert(d->st, &ev, e)))
			return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(customers); i++) {
		const struct demo_customer *c = &customers[i];
		struct customer row = {0};
		rc = store_customer_by_email(d->st, c->email, &row, e);
		if (rc == DESK_OK) {
			ids->customer[i] = row.id;
			customer_free(&row);
			continue;
		}
		if (rc != DESK_ENOTFOUND)
			return rc;
		row = (struct customer){.name = (char *)c->name, .email = (char *)c->email,
					.phone = (char *)c->phone, .organization = (char *)c->org,
					.tier = (char *)c->tier, .notes = (char *)c->notes,
					.created_at = now - 30 * DAY -
						      rng_range(r, DAY, 400 * DAY)};
		if ((rc = store_customer_insert(d->st, &row, e)))
			return rc;
		ids->customer[i] = row.id;
	}
	return DESK_OK;
}

static int system_message(struct desk *d, int64_t ticket, int64_t author, int64_t at,
			  char *text, struct derr *e)
{
	struct message m = {.ticket_id = ticket, .kind = MSG_SYSTEM, .author_id = author,
			    .body = text, .created_at = at};
	int rc = store_message_insert(d->st, &m, e);
	free(text);
	return rc;
}

static int write_event(struct desk *d, int64_t ticket, int64_t agent, int64_t at,
		       const char *action, const char *field, const char *old_value,
		       const char *new_value, struct derr *e)
{
	struct event ev = {.ticket_id = ticket, .agent_id = agent, .at = at,
			   .action = (char *)action, .field = (char *)field,
			   .old_value = (char *)old_value, .new_value = (char *)new_value};
	return store_event_insert(d->st, &ev, e);
}

/* The merge itself, written after the duplicate: both system messages,
 * the events core_merge writes, and the older ticket touched. */
static int write_merge(struct desk *d, const struct ids *ids, struct plan *p, struct derr *e)
{
	struct plan *into = p->merge_into;
	int64_t by = agent_id(ids, into->assignee);
	char from_s[32], into_s[32];
	snprintf(from_s, sizeof from_s, "%lld", (long long)p->t.id);
	snprintf(into_s, sizeof into_s, "%lld", (long long)into->t.id);
	int rc;
	if ((rc = system_message(d, into->t.id, by, p->merged_at,
				 xasprintf("Ticket #%s (%s) was merged into this ticket.", from_s,
					   p->subject),
				 e)) ||
	    (rc = system_message(d, p->t.id, by, p->merged_at,
				 xasprintf("Merged into ticket #%s.", into_s), e)) ||
	    (rc = write_event(d, p->t.id, by, p->merged_at, "merge", "merged_into", NULL, into_s,
			      e)) ||
	    (rc = write_event(d, into->t.id, by, p->merged_at, "merge", "merged_from", NULL,
			      from_s, e)) ||
	    (rc = write_event(d, p->t.id, by, p->merged_at, "set", "status", "new", "closed", e)))
		return rc;
	into->t.updated_at = p->merged_at;
	rc = sla_refresh(d, &into->t, e);
	return rc ? rc : store_ticket_update(d->st, &into->t, e);
}

static int write_plan(struct desk *d, const struct ids *ids, struct plan *p, struct derr *e)
{
	struct ticket *t = &p->t;
	*t = (struct ticket){
		.subject = p->subject,
		.status = p->status,
		.priority = p->priority,
		.channel = p->channel,
		.queue = (char *)topics[p->topic].queue,
		.customer_id = ids->customer[p->cust],
		.assignee_id = agent_id(ids, p->assignee),
		.created_at = p->created,
		.updated_at = p->last,
		.first_response_at = p->first_response,
		.first_solved_at = p->first_solved,
		.solved_at = p->solved,
		.closed_at = p->closed,
		.reopens = p->reopens,
		.merged_into = p->merge_into ? p->merge_into->t.id : 0,
		.tags = (char **)p->tags,
		.ntags = p->ntags,
	};
	int rc = store_ticket_insert(d->st, t, e);
	for (size_t i = 0; rc == DESK_OK && i < p->nmsgs; i++) {
		struct dmsg *dm = &p->msgs[i];
		struct message m = {.ticket_id = dm->moved ? p->merge_into->t.id : t->id,
				    .kind = dm->kind, .author_id = agent_id(ids, dm->agent),
				    .body = dm->body, .created_at = dm->at};
		rc = store_message_insert(d->st, &m, e);
		dm->id = m.id;
	}
	for (size_t i = 0; rc == DESK_OK && i < p->nevs; i++) {
		const struct devent *v = &p->evs[i];
		char idbuf[32];
		const char *new_value = v->new_value;
		if (v->msg >= 0) {
			snprintf(idbuf, sizeof idbuf, "%lld", (long long)p->msgs[v->msg].id);
			new_value = idbuf;
		}
		rc = write_event(d, t->id, agent_id(ids, v->agent), v->at, v->action, v->field,
				 v->old_value, new_value, e);
	}
	for (size_t i = 0; rc == DESK_OK && i < p->nsvs; i++) {
		struct survey s = {.ticket_id = t->id, .kind = p->svs[i].kind,
				   .score = p->svs[i].score, .answered_at = p->svs[i].at};
		rc = store_survey_insert(d->st, &s, e);
	}
	/* The SLA clocks as core_save computes them, from the thread just
	 * written and the pending pauses the status changes made. */
	for (size_t i = 0; i < p->nevs; i++) {
		const struct devent *v = &p->evs[i];
		if (v->field && strcmp(v->field, "status") == 0)
			sla_status_change(d->cfg, t, (enum status)status_from_name(v->old_value),
					  (enum status)status_from_name(v->new_value), v->at);
	}
	if (rc == DESK_OK)
		rc = sla_refresh(d, t, e);
	if (rc == DESK_OK)
		rc = store_ticket_update(d->st, t, e);
	if (rc == DESK_OK && p->merge_into)
		rc = write_merge(d, ids, p, e);
	return rc;
}

/* Picks tickets still being worked on, quiet for a while and with room
 * in their thread, to receive a duplicate. */
static size_t plan_merges(struct plan *plans, size_t n, struct rng *r, int64_t now,
			  size_t want)
{
	size_t made = 0, base = n;
	for (int pass = 0; pass < 2 && made < want; pass++) {
		for (size_t i = 0; i < base && made < want; i++) {
			struct plan *p = &plans[i];
			bool fits = (p->status == ST_OPEN || p->status == ST_PENDING ||
				     p->status == ST_ON_HOLD) &&
				    p->last <= now - 6 * HOUR && p->nmsgs + 2 <= MAX_MSGS &&
				    p->assignee >= 0;
			for (size_t k = base; fits && k < n; k++)
				fits = plans[k].merge_into != p;
			if (!fits || (pass == 0 && !rng_chance(r, 15)))
				continue;
			plan_duplicate(&plans[n], (int)n, p, r, now);
			n++;
			made++;
		}
	}
	return n;
}

int core_demo_fill(struct desk *d, unsigned seed, int64_t now, struct derr *e)
{
	struct rng r = {(uint64_t)seed * 0x2545F4914F6CDD1DULL + 0x1234567ULL};
	size_t base = (size_t)rng_range(&r, 192, 206), merges = 2;
	struct plan *plans = xcalloc(base + merges, sizeof *plans);
	for (size_t i = 0; i < base; i++)
		plan_ticket(&plans[i], (int)i, &r, now);
	size_t n = plan_merges(plans, base, &r, now, merges);

	struct plan **order = xcalloc(n, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = &plans[i];
	qsort(order, n, sizeof *order, by_time);

	struct ids ids;
	int rc = store_begin(d->st, e);
	if (rc == DESK_OK) {
		rc = write_people(d, &ids, &r, now, e);
		for (size_t i = 0; rc == DESK_OK && i < n; i++)
			rc = write_plan(d, &ids, order[i], e);
		if (rc == DESK_OK)
			rc = store_commit(d->st, e);
		else
			store_rollback(d->st);
	}
	for (size_t i = 0; i < n; i++) {
		free(plans[i].subject);
		for (size_t k = 0; k < plans[i].nmsgs; k++)
			free(plans[i].msgs[k].body);
	}
	free(order);
	free(plans);
	if (rc)
		derr_prefix(e, "filling the demo database");
	return rc;
}
