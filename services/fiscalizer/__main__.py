from libs.service import main
from services.fiscalizer.bootstrap import SPEC

main(SPEC)
