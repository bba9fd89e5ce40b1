"""A trained token tagger for source, cue and content (PolNeAR roles).

`features` turns text into words with the features the uncased encoder cannot
see; `model` is the network; `decode` keeps the tag sequence well-formed;
`train` fits it on PolNeAR; `detector` plugs it into the pipeline.
Heavy imports (torch, transformers) happen inside `model`, `train` and `detector` only.
"""

TAGS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
ROLES = ("SRC", "CUE", "CON")
WEIGHTS_DIR_NAME = "weights"
