"""The Twilio adapter: signature checks, webhook parsing into typed events, TwiML.

Knows Twilio's wire format and nothing about tickets; configuration and
callbacks are injected by servicedesk/. Its modules arrive with the phone issue.
"""
