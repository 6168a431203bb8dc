"""Job alerts (issue 12): after a match, be told about new ads that fit the same CV as well.

Modules, in the order data flows through them:

* :mod:`.profiles` what an alert keeps of a CV (vectors under a model fingerprint, never the text);
* :mod:`.scoring` new ads against every stored profile, in one batched pass;
* :mod:`.queue` after each update: the newly indexed ads scored and queued, once per (alert, ad);
* :mod:`.messages`, :mod:`.smtp`, :mod:`.delivery` e-mails composed, sent, retried, capped;
* :mod:`.feed` the private Atom feed;
* :mod:`.service` create, confirm, manage, delete (what the API and the UI call);
* :mod:`.jobs` the worker's hooks: after an update, and daily (digests, retention).
"""
