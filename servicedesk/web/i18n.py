"""Interface strings in Hebrew and English. Hebrew pages are right to left."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("he", "en")
RTL = frozenset({"he", "ar"})

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"en": "Service Desk", "he": "מוקד שירות"},
    "sign_in": {"en": "Sign in", "he": "כניסה"},
    "sign_out": {"en": "Sign out", "he": "יציאה"},
    "email": {"en": "E-mail", "he": "דוא״ל"},
    "password": {"en": "Password", "he": "סיסמה"},
    "bad_login": {"en": "Wrong e-mail or password.", "he": "דוא״ל או סיסמה שגויים."},
    "too_many": {
        "en": "Too many failed attempts. Try again in a few minutes.",
        "he": "יותר מדי ניסיונות כושלים. נסו שוב בעוד כמה דקות.",
    },
    "tickets": {"en": "Tickets", "he": "פניות"},
    "customers": {"en": "Customers", "he": "לקוחות"},
    "products": {"en": "Products", "he": "מוצרים"},
    "users": {"en": "Users", "he": "משתמשים"},
    "queues": {"en": "Queues", "he": "תורים"},
    "queue": {"en": "Queue", "he": "תור"},
    "all_queues": {"en": "All queues", "he": "כל התורים"},
    "status": {"en": "Status", "he": "סטטוס"},
    "priority": {"en": "Priority", "he": "עדיפות"},
    "subject": {"en": "Subject", "he": "נושא"},
    "customer": {"en": "Customer", "he": "לקוח"},
    "assignee": {"en": "Assignee", "he": "מטפל"},
    "unassigned": {"en": "Unassigned", "he": "לא משויך"},
    "channel": {"en": "Channel", "he": "ערוץ"},
    "updated": {"en": "Updated", "he": "עודכן"},
    "number": {"en": "No.", "he": "מס׳"},
    "no_tickets": {"en": "No tickets here.", "he": "אין פניות כאן."},
    "open_work": {"en": "Open work", "he": "עבודה פתוחה"},
    "any_status": {"en": "Any status", "he": "כל סטטוס"},
    "filter": {"en": "Filter", "he": "סינון"},
    "error": {"en": "Error", "he": "שגיאה"},
    "back": {"en": "Back", "he": "חזרה"},
    "language": {"en": "עברית", "he": "English"},
    "new": {"en": "New", "he": "חדשה"},
    "open": {"en": "Open", "he": "פתוחה"},
    "pending": {"en": "Pending", "he": "ממתינה ללקוח"},
    "on_hold": {"en": "On hold", "he": "בהמתנה"},
    "solved": {"en": "Solved", "he": "נפתרה"},
    "closed": {"en": "Closed", "he": "סגורה"},
    "low": {"en": "Low", "he": "נמוכה"},
    "normal": {"en": "Normal", "he": "רגילה"},
    "high": {"en": "High", "he": "גבוהה"},
    "urgent": {"en": "Urgent", "he": "דחופה"},
    "page_of": {"en": "{shown} of {total}", "he": "{shown} מתוך {total}"},
    # navigation and shared words
    "admin": {"en": "Admin", "he": "ניהול"},
    "main_navigation": {"en": "Main navigation", "he": "ניווט ראשי"},
    "live_updates": {"en": "Live updates", "he": "עדכונים חיים"},
    "name": {"en": "Name", "he": "שם"},
    "phone": {"en": "Phone", "he": "טלפון"},
    "organisation": {"en": "Organisation", "he": "ארגון"},
    "description": {"en": "Description", "he": "תיאור"},
    "created": {"en": "Created", "he": "נוצרה"},
    "state": {"en": "State", "he": "מצב"},
    "active": {"en": "Active", "he": "פעיל"},
    "inactive": {"en": "Inactive", "he": "לא פעיל"},
    "primary": {"en": "Primary", "he": "ראשי"},
    "system": {"en": "System", "he": "מערכת"},
    "search": {"en": "Search", "he": "חיפוש"},
    "create": {"en": "Create", "he": "יצירה"},
    "save": {"en": "Save", "he": "שמירה"},
    "saved": {"en": "Saved.", "he": "נשמר."},
    "send": {"en": "Send", "he": "שליחה"},
    "lang_he": {"en": "Hebrew", "he": "עברית"},
    "lang_en": {"en": "English", "he": "אנגלית"},
    "role": {"en": "Role", "he": "תפקיד"},
    "role_admin": {"en": "Administrator", "he": "מנהל מערכת"},
    "role_supervisor": {"en": "Supervisor", "he": "ראש צוות"},
    "role_agent": {"en": "Agent", "he": "נציג"},
    "role_partner": {"en": "Partner", "he": "שותף"},
    "tier": {"en": "Tier", "he": "רמת שירות"},
    "tier_standard": {"en": "Standard", "he": "רגיל"},
    "tier_silver": {"en": "Silver", "he": "כסף"},
    "tier_gold": {"en": "Gold", "he": "זהב"},
    "tier_platinum": {"en": "Platinum", "he": "פלטינום"},
    "channel_email": {"en": "E-mail", "he": "דוא״ל"},
    "channel_voice": {"en": "Phone call", "he": "שיחה טלפונית"},
    "channel_sms": {"en": "SMS", "he": "SMS"},
    "channel_chat": {"en": "Chat", "he": "צ׳אט"},
    "channel_web": {"en": "Web form", "he": "טופס באתר"},
    "channel_api": {"en": "API", "he": "API"},
    "channel_iot": {"en": "Device alert", "he": "התראת מכשיר"},
    "channel_note": {"en": "Note", "he": "הערה"},
    # ticket screen
    "conversation": {"en": "Conversation", "he": "שיחה"},
    "asset": {"en": "Unit", "he": "מכשיר"},
    "no_asset": {"en": "Not given", "he": "לא צוין"},
    "msg_in": {"en": "Customer", "he": "לקוח"},
    "msg_out": {"en": "Reply", "he": "תשובה"},
    "msg_note": {"en": "Internal note", "he": "הערה פנימית"},
    "no_messages": {"en": "No messages yet.", "he": "אין הודעות עדיין."},
    "no_text": {"en": "(no text)", "he": "(ללא טקסט)"},
    "attachments": {"en": "Attachments", "he": "קבצים מצורפים"},
    "show_full_message": {"en": "Show the whole message", "he": "הצגת ההודעה המלאה"},
    "message_source": {"en": "Original source", "he": "מקור ההודעה"},
    "message_warnings": {"en": "Reading this message", "he": "בעיות בקריאת ההודעה"},
    "automatic_mail": {"en": "automatic mail", "he": "דואר אוטומטי"},
    "bounces": {"en": "mail bounces", "he": "דואר חוזר"},
    "copied": {"en": "Cc", "he": "העתק"},
    "sla_policies": {"en": "SLA policies", "he": "מדיניות SLA"},
    "sla": {"en": "SLA", "he": "SLA"},
    "sla_due": {"en": "due", "he": "עד"},
    "sla_metric_first_response": {"en": "First response", "he": "מענה ראשון"},
    "sla_metric_next_response": {"en": "Next response", "he": "מענה נוסף"},
    "sla_metric_resolution": {"en": "Resolution", "he": "פתרון"},
    "sla_state_running": {"en": "running", "he": "רץ"},
    "sla_state_paused": {"en": "paused", "he": "מושהה"},
    "sla_state_met": {"en": "met", "he": "עמד ביעד"},
    "sla_state_breached": {"en": "breached", "he": "חרג"},
    "sla_loaded": {
        "en": "Policy set {version} is now in force; open tickets are being recomputed.",
        "he": "גרסת המדיניות {version} בתוקף; הפניות הפתוחות מחושבות מחדש.",
    },
    "sla_version": {"en": "Version", "he": "גרסה"},
    "sla_first_match": {
        "en": "the first policy that matches a ticket applies",
        "he": "חלה המדיניות הראשונה שמתאימה לפנייה",
    },
    "sla_calendar": {"en": "Calendar", "he": "לוח שנה"},
    "sla_calendars": {"en": "Business calendars", "he": "לוחות שעות פעילות"},
    "sla_match": {"en": "Applies to", "he": "חלה על"},
    "sla_targets": {"en": "Targets (business time)", "he": "יעדים (זמן פעילות)"},
    "sla_any": {"en": "every ticket", "he": "כל פנייה"},
    "sla_timezone": {"en": "Time zone", "he": "אזור זמן"},
    "sla_hours": {"en": "Hours", "he": "שעות"},
    "sla_holidays": {"en": "Holidays", "he": "חגים"},
    "sla_none": {
        "en": "No SLA policies are loaded: tickets have no deadlines.",
        "he": "לא נטענה מדיניות SLA: לפניות אין יעדי זמן.",
    },
    "sla_edit": {"en": "Edit the policy file", "he": "עריכת קובץ המדיניות"},
    "sla_edit_help": {
        "en": "TOML, as `servicedesk sla load` takes it (README, SLA policies). A file with "
        "an error changes nothing; every saved version is kept.",
        "he": "TOML, כפי ש-`servicedesk sla load` מקבל (README). קובץ עם שגיאה אינו משנה "
        "דבר; כל גרסה נשמרת.",
    },
    "sla_file": {"en": "Policy file", "he": "קובץ מדיניות"},
    "sla_save": {"en": "Validate and put in force", "he": "בדיקה והפעלה"},
    "sla_versions": {"en": "Versions", "he": "גרסאות"},
    "sla_active": {"en": "in force", "he": "בתוקף"},
    "delivery_queued": {"en": "Sending…", "he": "בשליחה…"},
    "delivery_sent": {"en": "Sent", "he": "נשלח"},
    "delivery_failed": {"en": "Not delivered", "he": "לא נמסר"},
    "delivery_bounced": {"en": "Bounced", "he": "הוחזר"},
    "delivery_problem": {"en": "Delivery problem", "he": "בעיה במסירה"},
    "delivery_delivered": {"en": "Delivered", "he": "נמסר"},
    # Web chat: the agent's ticket screen.
    "chat_banner_waiting": {
        "en": "Live chat: the customer is waiting for an agent.",
        "he": "צ׳אט חי: הלקוח ממתין לנציג.",
    },
    "chat_banner_active": {"en": "Live chat with {agent}.", "he": "צ׳אט חי עם {agent}."},
    "chat_banner_ended": {"en": "The chat ended: {reason}", "he": "הצ׳אט הסתיים: {reason}"},
    "chat_reason_customer": {"en": "the customer ended it.", "he": "הלקוח סיים אותו."},
    "chat_reason_agent": {"en": "the ticket was solved.", "he": "הפנייה נפתרה."},
    "chat_reason_idle": {"en": "the customer left.", "he": "הלקוח עזב."},
    "chat_reason_no_agent": {
        "en": "no agent was free; it goes on by e-mail.",
        "he": "לא היה נציג פנוי; ההמשך בדוא״ל.",
    },
    "chat_reason_out_of_hours": {
        "en": "outside business hours; it goes on by e-mail.",
        "he": "מחוץ לשעות הפעילות; ההמשך בדוא״ל.",
    },
    "chat_reason_superseded": {
        "en": "the customer opened a new chat.",
        "he": "הלקוח פתח צ׳אט חדש.",
    },
    "customer_typing": {"en": "The customer is typing…", "he": "הלקוח מקליד…"},
    "chat_assigned": {"en": "A new chat is yours: ticket", "he": "צ׳אט חדש הועבר אליך: פנייה"},
    # Web chat: the customer's page (templates/chat/page.html, static/chat.js).
    "chat_title": {"en": "Chat with us", "he": "צ׳אט עם נציג"},
    "chat_intro": {
        "en": "Tell us who you are and how we can help. An agent will join you.",
        "he": "ספרו לנו מי אתם ובמה נוכל לעזור. נציג יצטרף לשיחה.",
    },
    "chat_how_can_we_help": {"en": "How can we help?", "he": "במה נוכל לעזור?"},
    "chat_start": {"en": "Start the chat", "he": "התחלת שיחה"},
    "chat_message": {"en": "Your message", "he": "ההודעה שלך"},
    "chat_type_here": {"en": "Type a message…", "he": "כתבו הודעה…"},
    "chat_end": {"en": "End the chat", "he": "סיום השיחה"},
    "chat_new": {"en": "Start a new chat", "he": "שיחה חדשה"},
    "chat_state_waiting": {
        "en": "Waiting for an agent to join…",
        "he": "ממתינים שנציג יצטרף…",
    },
    "chat_state_active": {"en": "You are chatting with {agent}.", "he": "את/ה בשיחה עם {agent}."},
    "chat_state_active_anonymous": {"en": "An agent has joined.", "he": "נציג הצטרף לשיחה."},
    "chat_end_customer": {
        "en": "You ended the chat. A transcript is on its way to {email}.",
        "he": "סיימת את השיחה. תמליל השיחה נשלח אל {email}.",
    },
    "chat_end_agent": {
        "en": "The agent closed the chat. A transcript is on its way to {email}.",
        "he": "הנציג סיים את השיחה. תמליל השיחה נשלח אל {email}.",
    },
    "chat_end_idle": {
        "en": "The chat ended after a long silence. A transcript is on its way to {email}.",
        "he": "השיחה הסתיימה לאחר שתיקה ממושכת. תמליל השיחה נשלח אל {email}.",
    },
    "chat_end_no_agent": {
        "en": "No agent is free right now. We will answer you by e-mail at {email} "
        "(ticket {ticket}).",
        "he": "אין נציג פנוי כרגע. נענה לך בדוא״ל לכתובת {email} (פנייה {ticket}).",
    },
    "chat_end_out_of_hours": {
        "en": "We are closed right now. We will answer you by e-mail at {email} (ticket {ticket}).",
        "he": "המוקד סגור כעת. נענה לך בדוא״ל לכתובת {email} (פנייה {ticket}).",
    },
    "chat_end_superseded": {
        "en": "This chat goes on in another window.",
        "he": "השיחה ממשיכה בחלון אחר.",
    },
    "chat_typing": {"en": "{name} is typing…", "he": "{name} מקליד/ה…"},
    "chat_agent": {"en": "Agent", "he": "נציג"},
    "chat_you": {"en": "You", "he": "את/ה"},
    "chat_sending": {"en": "sending…", "he": "נשלח…"},
    "chat_sent": {"en": "sent", "he": "נשלח"},
    "chat_not_sent": {"en": "not sent", "he": "לא נשלח"},
    "chat_offline": {"en": "Reconnecting…", "he": "מתחברים מחדש…"},
    "chat_confirm_end": {"en": "End the chat?", "he": "לסיים את השיחה?"},
    "chat_error_required": {"en": "Please fill this in.", "he": "נא למלא שדה זה."},
    "chat_error_invalid": {
        "en": "This does not look right; please check it.",
        "he": "נראה שיש כאן טעות; נא לבדוק.",
    },
    "chat_error_too_long": {"en": "This is too long.", "he": "הטקסט ארוך מדי."},
    "chat_error_rate_limited": {
        "en": "You are sending messages too fast. Wait {seconds} s; we will send it then.",
        "he": "נשלחות הודעות מהר מדי. המתינו {seconds} שניות; נשלח אז.",
    },
    "chat_error_chat_ended": {"en": "This chat has ended.", "he": "השיחה הסתיימה."},
    "chat_error_bad_token": {
        "en": "Your earlier chat cannot be opened again; please start a new one.",
        "he": "לא ניתן לפתוח שוב את השיחה הקודמת; נא להתחיל שיחה חדשה.",
    },
    "chat_error_unavailable": {
        "en": "We cannot take messages right now; trying again.",
        "he": "לא ניתן לקבל הודעות כרגע; מנסים שוב.",
    },
    "chat_error_other": {
        "en": "Something went wrong; please try again.",
        "he": "משהו השתבש; נא לנסות שוב.",
    },
    "reply_kind": {"en": "Reply type", "he": "סוג תגובה"},
    "public_reply": {"en": "Reply to customer", "he": "תשובה ללקוח"},
    "internal_note": {"en": "Internal note", "he": "הערה פנימית"},
    "your_reply": {"en": "Your reply", "he": "התשובה שלך"},
    "write_reply": {"en": "Write your reply…", "he": "כתבו כאן את התשובה…"},
    "reply_goes_out": {
        "en": "The customer receives this reply by {channel}.",
        "he": "התשובה תישלח ללקוח בערוץ: {channel}.",
    },
    "note_hint": {
        "en": "Internal notes are seen by staff only, never by the customer or partners.",
        "he": "הערה פנימית גלויה לצוות בלבד — לא ללקוח ולא לשותפים.",
    },
    "then_set_status": {"en": "and set status", "he": "ולאחר מכן סטטוס"},
    "keep_status": {"en": "unchanged", "he": "ללא שינוי"},
    "closed_no_reply": {
        "en": "This ticket is closed. To continue, open a follow-up ticket.",
        "he": "הפנייה סגורה. כדי להמשיך יש לפתוח פנייה חדשה.",
    },
    "properties": {"en": "Ticket properties", "he": "מאפייני הפנייה"},
    "queue_members": {"en": "In this queue", "he": "בתור הזה"},
    "other_staff": {"en": "Other staff", "he": "צוות נוסף"},
    "take_it": {"en": "Assign to me", "he": "שיוך אליי"},
    "warranty": {"en": "Warranty", "he": "אחריות"},
    "warranty_active_until": {"en": "In warranty until {date}", "he": "באחריות עד {date}"},
    "warranty_extended_until": {
        "en": "Extended warranty until {date}",
        "he": "באחריות מורחבת עד {date}",
    },
    "warranty_expired_on": {"en": "Warranty ended {date}", "he": "האחריות הסתיימה ב־{date}"},
    # customers
    "search_customers": {"en": "Name, e-mail or phone", "he": "שם, דוא״ל או טלפון"},
    "search_placeholder": {
        "en": "e.g. Noa Cohen, noa@example.com, 054-123 4567",
        "he": "למשל: נועה כהן, noa@example.com, 054-1234567",
    },
    "exact_match_for": {"en": "Exact match for {q}", "he": "התאמה מדויקת עבור {q}"},
    "no_customers": {"en": "No customers found.", "he": "לא נמצאו לקוחות."},
    "preferred_language": {"en": "Preferred language", "he": "שפה מועדפת"},
    "customer_since": {"en": "Customer since", "he": "לקוח מאז"},
    "identities": {"en": "Contact details", "he": "פרטי קשר"},
    "identity_email": {"en": "E-mail", "he": "דוא״ל"},
    "identity_phone": {"en": "Phone", "he": "טלפון"},
    "identity_social": {"en": "Social", "he": "רשת חברתית"},
    "no_identities": {"en": "No contact details.", "he": "אין פרטי קשר."},
    "assets": {"en": "Units", "he": "מכשירים"},
    "no_assets": {"en": "No registered units.", "he": "אין מכשירים רשומים."},
    "serial": {"en": "Serial no.", "he": "מספר סידורי"},
    "product": {"en": "Product", "he": "מוצר"},
    "purchased_on": {"en": "Purchased", "he": "נרכש"},
    "warranty_ends_on": {"en": "Warranty ends", "he": "סוף האחריות"},
    "extended_until": {"en": "Extended until", "he": "הרחבה עד"},
    "timeline": {"en": "Timeline, all channels", "he": "ציר זמן, כל הערוצים"},
    # Phone calls on the ticket screen.
    "caller_queued": {"en": "A caller is waiting on this ticket:", "he": "מתקשר ממתין בפנייה זו:"},
    "caller_connecting": {"en": "Connecting the caller to an agent:", "he": "המתקשר מועבר לנציג:"},
    "answer_call": {"en": "Answer call", "he": "מענה לשיחה"},
    "call_from": {"en": "Caller", "he": "מתקשר"},
    "call_outcome": {"en": "Call", "he": "שיחה"},
    "call_choice": {"en": "Chose", "he": "בחירה"},
    "call_duration": {"en": "Duration", "he": "משך"},
    "call_recording": {"en": "Recording", "he": "הקלטה"},
    "call_listen": {"en": "Download", "he": "הורדה"},
    "call_answered": {"en": "Answered", "he": "נענתה"},
    "call_missed": {"en": "Missed", "he": "שיחה שלא נענתה"},
    "call_abandoned": {"en": "Hung up while waiting", "he": "ניתקו בהמתנה"},
    "call_voicemail": {"en": "Voicemail", "he": "הודעה קולית"},
    "call_menu": {"en": "In the phone menu", "he": "בתפריט הטלפוני"},
    "call_queued": {"en": "Waiting in the queue", "he": "ממתין בתור"},
    "call_connecting": {"en": "Connecting to an agent", "he": "מועבר לנציג"},
    "call_talking": {"en": "In conversation", "he": "בשיחה"},
    "call_ended": {"en": "Ended", "he": "הסתיימה"},
    "no_activity": {"en": "No activity yet.", "he": "אין פעילות עדיין."},
    "latest_of": {"en": "Latest {shown} of {total}", "he": "{shown} האחרונות מתוך {total}"},
    # administration
    "sku": {"en": "SKU", "he": "מק״ט"},
    "category": {"en": "Category", "he": "קטגוריה"},
    "price": {"en": "Price", "he": "מחיר"},
    "warranty_months": {"en": "Warranty (months)", "he": "אחריות (חודשים)"},
    "units": {"en": "Units sold", "he": "יחידות"},
    "new_product": {"en": "New product", "he": "מוצר חדש"},
    "no_products": {"en": "No products yet.", "he": "אין מוצרים עדיין."},
    "product_created": {"en": "Product {name} created.", "he": "המוצר {name} נוצר."},
    "queue_language": {"en": "Language", "he": "שפה"},
    "members": {"en": "Members", "he": "חברי צוות"},
    "default_queue": {"en": "default", "he": "ברירת מחדל"},
    "make_default_queue": {
        "en": "Default queue for new tickets",
        "he": "תור ברירת המחדל לפניות חדשות",
    },
    "new_queue": {"en": "New queue", "he": "תור חדש"},
    "no_queues": {"en": "No queues yet.", "he": "אין תורים עדיין."},
    "queue_created": {"en": "Queue {name} created.", "he": "התור {name} נוצר."},
    "ui_language": {"en": "Interface language", "he": "שפת ממשק"},
    "api_only": {"en": "API only", "he": "API בלבד"},
    "new_user": {"en": "New user", "he": "משתמש חדש"},
    "user_created": {"en": "User {name} created.", "he": "המשתמש {name} נוצר."},
    "password_hint": {
        "en": "At least {n} characters. Leave empty for an API-only user who cannot sign in.",
        "he": "לפחות {n} תווים. השאירו ריק עבור משתמש API שאינו מתחבר.",
    },
    "queues_hint": {"en": "(staff only)", "he": "(לצוות בלבד)"},
    "partner_organisation": {"en": "Partner organisation", "he": "ארגון שותף"},
    "partner_org_hint": {
        "en": "Partner users only: they see their organisation's customers and tickets.",
        "he": "למשתמשי שותף בלבד: הם רואים את הלקוחות והפניות של הארגון שלהם.",
    },
    # form errors (ours, then the services' own wording)
    "check_fields": {"en": "Please correct the marked fields.", "he": "נא לתקן את השדות המסומנים."},
    "required": {"en": "Required.", "he": "שדה חובה."},
    "too_long": {"en": "Too long.", "he": "ארוך מדי."},
    "not_a_number": {"en": "Not a number.", "he": "לא מספר."},
    "out_of_range": {"en": "Out of range.", "he": "מחוץ לטווח."},
    "unknown_choice": {"en": "Not one of the choices.", "he": "בחירה לא קיימת."},
    "partners_no_queues": {
        "en": "Partner users do not work queues.",
        "he": "משתמשי שותף אינם משויכים לתורים.",
    },
    "staff_no_organisation": {
        "en": "Only partner users belong to an organisation.",
        "he": "רק משתמשי שותף משויכים לארגון.",
    },
    "taken": {"en": "Already in use.", "he": "כבר קיים במערכת."},
    "must not be empty": {"en": "Must not be empty.", "he": "לא יכול להיות ריק."},
    "reply is empty": {"en": "The reply is empty.", "he": "התשובה ריקה."},
    "the ticket is closed": {"en": "The ticket is closed.", "he": "הפנייה סגורה."},
    "ticket is closed": {"en": "The ticket is closed.", "he": "הפנייה סגורה."},
    "invalid ticket change": {
        "en": "This change is not possible.",
        "he": "לא ניתן לבצע את השינוי.",
    },
    "no such queue": {"en": "No such queue.", "he": "אין תור כזה."},
    "not an active agent": {"en": "Not an active agent.", "he": "אינו נציג פעיל."},
    "a closed ticket cannot be reopened; open a follow-up ticket": {
        "en": "A closed ticket cannot be reopened; open a follow-up ticket.",
        "he": "לא ניתן לפתוח מחדש פנייה סגורה; יש לפתוח פנייה חדשה.",
    },
    "the ticket changed since you loaded it": {
        "en": "Someone changed this ticket meanwhile. This is it now; review and save again.",
        "he": "מישהו שינה את הפנייה בינתיים. זה מצבה כעת; בדקו ושמרו שוב.",
    },
    "password too short": {"en": "The password is too short.", "he": "הסיסמה קצרה מדי."},
    "invalid e-mail address": {"en": "Invalid e-mail address.", "he": "כתובת דוא״ל לא תקינה."},
    "a partner user belongs to a partner organisation": {
        "en": "A partner user belongs to a partner organisation.",
        "he": "משתמש שותף חייב להיות משויך לארגון שותף.",
    },
    "required: a partner organisation": {
        "en": "Required: a partner organisation.",
        "he": "חובה: ארגון שותף.",
    },
}


def language_of(request: Request, user_language: str | None = None) -> str:
    """Explicit choice (cookie) first, then the user's setting, then the browser."""
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if user_language in LANGUAGES:
        assert user_language is not None
        return user_language
    accept = request.headers.get("accept-language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
        if code == "iw":
            return "he"
    return "he"


def translate(key: str, language: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    text = key if entry is None else entry.get(language) or entry["en"]
    return text.format(**values) if values else text


from servicedesk.web.messages_board import MESSAGES_BOARD  # noqa: E402

MESSAGES.update(MESSAGES_BOARD)
from servicedesk.web.messages_workspace import WORKSPACE_MESSAGES  # noqa: E402

MESSAGES.update(WORKSPACE_MESSAGES)
from servicedesk.web.messages_admin_routing import ADMIN_ROUTING_MESSAGES  # noqa: E402

MESSAGES.update(ADMIN_ROUTING_MESSAGES)
