"""EFRIS's answers that are not "00": the `returnStateInfo` codes the simulator uses (efris.md §6).

    EfrisRefusal(code, message?, payload?)     raised by any step of an exchange; the API
                                               route answers it as the envelope
                                               {"returnStateInfo": {"returnCode": code,
                                                "returnMessage": message}} with HTTP 200,
                                               `payload` (if any) sealed into `data.content`

Messages are URA-DOC's own text (ReturnCode description, efris.md §0); a few carry the
detail URA puts in them (2122's item code and name) or say what the sandbox leaves out.
"""

from __future__ import annotations

from services.sandbox.providers.efris.document_codes import DOCUMENT_MESSAGES

SUCCESS = ("00", "SUCCESS")

MESSAGES: dict[str, str] = {
    # Envelope and session (§1.3, §6.1)
    "01": "Interface coding error",
    "05": "AppID error",
    "07": "GlobalInfo content cannot be empty",
    "08": "Data content cannot be empty",
    "11": "InterfaceCode cannot be empty",
    "12": "UserName cannot be empty",
    "13": "TaxpayerID cannot be empty",
    "14": "DeviceMAC cannot be empty",
    "15": "Unpacking data error",
    "16": "AppID cannot be empty",
    "17": "Version cannot be empty",
    "18": "DataExchangeId cannot be empty",
    "19": "RequestCode cannot be empty",
    "20": "RequestTime cannot be empty",
    "21": "ResponseCode cannot be empty",
    "24": "The version cannot be longer than 15 characters",
    "25": "DataExchangeId cannot be greater than 32 characters!",
    "26": "RequestCode error",
    "27": "ResponseCode error",
    "28": "The difference between RequestTime and the current time is greater than ten minutes!",
    "29": "DeviceMAC cannot be greater than 25 characters",
    "31": "RequestTime time format error",
    "34": "Longitude cannot be empty",
    "36": "Latitude cannot be empty",
    "38": "Signature value is invalid!",
    "39": "Signature value can not be empty!",
    "43": "Outer packet json format is invalid!",
    "45": "Partial failure!",
    "46": "database error!",
    "99": "Unknow error",
    "100": "Taxpayer does not exist",
    "400": "Device does not exist",
    "401": "Device key does not exist",
    "402": "Device key expired",
    "9901": "Reached the maximum concurrency, Please try again later.",
    "9902": "Cache service connection failed, please try again later.",
}


def message_of(code: str) -> str:
    """URA's message for `code` (document field codes: `document_codes`); "Unknow error" else."""
    return MESSAGES.get(code) or DOCUMENT_MESSAGES.get(code) or MESSAGES["99"]


class EfrisRefusal(Exception):
    """A non-"00" answer: `code`, `message` (URA's text by default) and an optional `payload`.

    The payload is sealed like a success's (encrypted for encrypted interfaces): 2253 carries
    the existing invoice in `existInvoiceList`, a partly failed T130 its failed items.
    """

    def __init__(
        self, code: str, message: str | None = None, *, payload: object | None = None
    ) -> None:
        self.code = code
        self.message = message if message is not None else message_of(code)
        self.payload = payload
        super().__init__(f"EFRIS {code}: {self.message}")
