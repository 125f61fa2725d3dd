from libs.service import main
from services.erp_sync.bootstrap import SPEC

main(SPEC)
