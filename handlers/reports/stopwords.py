"""Small stop-word lists for the six languages, for finding themes in answers.

Only words of three letters or more matter: shorter ones are dropped anyway.
Written lower-case, as ``themes.normalise`` leaves them.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


_EN = _words(
    """
the and for are but not you all any can had her was one our out has him his how man new
now old see two way who its did get let put say she too use that with have this will
your from they know want been good much some time very when come here just like long
make many more only over such take than them well were what also back into most need
there their these those then would could should about after again being does doing down
each few further because before below between both during until while which whom where
why other same own once off under above ever really lot lots things thing people think
got bit feel feels felt nothing something anything everything always often never
sometimes still even every around across yes yeah please thanks thank ours ourselves
yourself yourselves himself herself itself themselves everyone everybody someone
somebody anyone anybody nobody
"""
)

_CY = _words(
    """
mae yn y yr a ac i o ar am at gan dan dros heb hyd mewn wrth ond neu fod bod oes sydd
ydy ydw oedd roedd bydd byddai gyda ein eich eu fy ei nhw ni chi fi hi fe ef nid dim
ddim iawn hefyd hyn hynny rhai pob mwy llawn fel pan lle beth pwy pam sut gall gallu
angen eisiau hoffi gennym gennyf gennych ganddynt ganddo ganddi trwy drwy rhwng tuag
maen ychydig bach iddo iddi iddyn pobl bobl byd ers gilydd
"""
)

_PL = _words(
    """
i w z na do że się nie to jest są był była było być ale jak co czy tak już jeszcze tylko
bardzo dla przez przy pod nad od po za o a oraz lub albo ten ta te tego tej tym tych
jego jej ich nas nam nami was wam mnie mi my wy oni one on ona ono też więc bo gdy kiedy
gdzie który która które których żeby aby może można mamy mają ma mam chcę chciałbym
chciałabym ktoś coś nic nikt każdy wszystko wszyscy sobie siebie będzie czasem często
zawsze nigdy prawie naszym nasza nasze naszej nasz proszę ludzie
"""
)

_UK = _words(
    """
і й в у з із на до що як це є був була було бути але не ні так вже ще тільки дуже для
через при під над від по за о а та або чи цей ця ці цього цієї цим цих його її їх нас
нам вас вам мене мені ми ви вони він вона воно теж тому коли де який яка які яких щоб
може можна маємо мають має маю хочу хотів хотіла хтось щось нічого ніхто кожен все всі
себе часто завжди ніколи біля люди майже нашому наша наше нашій наш наших просимо зовсім
"""
)

_RO = _words(
    """
și în la de pe cu din pentru că nu se este sunt era fost fi dar sau mai foarte ce cum
care când unde aici acolo acest această aceste acești acel acea ei ele el ea noi voi eu
tu ne ni vă le lui lor său sa sale meu mea noastră nostru noștri avem are au am fie
fiecare tot toate toți nimic nimeni ceva cineva doar încă deja așa prea după până spre
sub peste fără între despre ca iar ori dacă ar unei unui unor o un oameni
"""
)

_AR = _words(
    """
في من على إلى الى عن مع هذا هذه ذلك تلك هناك هنا التي الذي الذين هو هي هم نحن أنا انا
أنت كان كانت يكون لا لم لن ما ماذا كل بعض أو او ثم قد لقد حتى عند عندنا لدينا لديهم ليس
ليست أن إن ان بين بعد قبل فقط أيضا أكثر جدا كما لكن ولكن وهناك ونريد نريد نحتاج
"""
)

STOP_WORDS: frozenset[str] = frozenset(_EN + _CY + _PL + _UK + _RO + _AR)
