"""T101 server time, T104 symmetric key and T103 sign-in (efris.md §2.2, §3.2).

T101  {"currentTime": "dd/MM/yyyy HH:mm:ss"}        plain; no registered device needed
T104  {"passowrdDes", "sign"}                      plain; a fresh AES-128 key for the
                                                   device, base64'd and RSA-sealed with
                                                   its registered public key, `sign` the
                                                   server's signature of passowrdDes
T103  device, taxpayer, branch, taxType, flags     encrypted with the T104 key
"""

from __future__ import annotations

from libs.efris import efris_time, seal_aes_key, sign
from services.sandbox.providers.efris.documents import validation_url
from services.sandbox.providers.efris.exchange import Call, Reply
from services.sandbox.providers.efris.invoice_rules import MAX_GROSS_AMOUNT


def server_time(call: Call) -> Reply:
    """T101: the server's clock in Kampala time."""
    return Reply({"currentTime": efris_time(call.now)})


def symmetric_key(call: Call) -> Reply:
    """T104: a new session key for the calling device (the previous one stops working)."""
    device = call.registered
    key = device.issue_key(call.now.timestamp())
    sealed = seal_aes_key(device.public_key, key)
    return Reply({"passowrdDes": sealed, "sign": sign(call.server.server_key, sealed)})


def sign_in(call: Call) -> Reply:
    """T103: who the device and taxpayer are, and the system flags (URA-DOC L1591-1818)."""
    device = call.registered
    registered = efris_time(call.now).split(" ")[0]
    contact: dict[str, object] = {"contactName": device.legal_name, "contactEmail": "", "contactMobile": "",
               "contactNumber": "", "placeOfBusiness": ""}  # fmt: skip
    return Reply(
        {
            "device": {"deviceModel": "SANDBOX", "deviceNo": device.device_no,
                       "deviceStatus": "252", "deviceType": "1", "validPeriod": "31/12/2099",
                       "offlineAmount": "0", "offlineDays": "0", "offlineValue": "0"},
            "taxpayer": {"id": f"1{device.tin:0>17}", "tin": device.tin, "ninBrn": "",
                         "legalName": device.legal_name, "businessName": device.business_name,
                         "taxpayerStatusId": "101", "taxpayerRegistrationStatusId": "401",
                         "taxpayerType": "202", "businessType": "501", "departmentId": "000001",
                         **contact},
            "taxpayerBranch": {"branchCode": "00", "branchName": device.legal_name,
                               "branchType": "101", **contact},
            "taxType": [{"taxTypeName": "Value Added Tax", "taxTypeCode": "301",
                         "registrationDate": registered, "cancellationDate": ""}],
            "dictionaryVersion": "1", "issueTaxTypeRestrictions": "0",
            "taxpayerBranchVersion": "1", "commodityCategoryVersion": "1",
            "exciseDutyVersion": "1", "goodsStockLimit": "102",
            "maxGrossAmount": f"{MAX_GROSS_AMOUNT:f}", "isAllowBackDate": "0",
            "isReferenceNumberMandatory": "0", "isAllowIssueRebate": "0",
            "isDutyFreeTaxpayer": "0", "isAllowIssueCreditWithoutFDN": "0", "periodDate": "7",
            "isTaxCategoryCodeMandatory": "1", "isAllowIssueInvoice": "1",
            "isAllowOutOfScopeVAT": "1", "creditMemoPeriodDate": "15", "agentFlag": "0",
            "environment": "1", "issueDebitNote": "0",
            "qrCodeURL": validation_url(call.base_url),
        }
    )  # fmt: skip
