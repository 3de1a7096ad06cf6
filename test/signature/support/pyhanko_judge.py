"""pyHanko as an outside judge of a whole PDF, in one process:
- every signature through ades_lta_validation (ETSI EN 319 102-1 § 5.6.3), the given root(s) as
  the only trust anchors, revocation data from the file only and required for end-entity and CA
  certificates alike;
- every document timestamp through validate_pdf_timestamp (its chain checked against the DSS,
  hard-fail revocation, no fetching) with pyHanko's difference analysis of what follows it.
Arguments: MODE PDF ROOT [CRL...]. MODE says which signature validation fits the level asked for:
- lta (B-LTA): ades_lta_validation as above;
- lt (B-LT: no document timestamp to prove when the DSS data existed, so pyHanko's LTA
  validation would end NO_POE): validate_pdf_signature on the DSS's data only, hard-fail;
- external (B-B, B-T, which carry no revocation data by design): validate_pdf_signature with
  the CRL files given, hard-fail, no fetching.
Prints one JSON line per signature or document timestamp, in file order."""
import asyncio
import json
import sys

from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

mode, pdf_path, root_path = sys.argv[1:4]
roots = list(load_certs_from_pemder([root_path]))  # one or more PEM certificates
external_crls = [open(p, "rb").read() for p in sys.argv[4:]]
required = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
policy = CertValidationPolicySpec(
    trust_manager=SimpleTrustManager.build(trust_roots=roots),
    revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(ee_certificate_rule=required, intermediate_ca_cert_rule=required)),
)
spec = PdfSignatureValidationSpec(
    SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    )
)


def level(status):
    return str(status.modification_level) if status is not None and status.modification_level is not None else None


async def main() -> None:
    with open(pdf_path, "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_signatures:
            if sig.sig_object_type == "/DocTimeStamp":
                dss = DocumentSecurityStore.read_dss(reader)
                vc = dss.as_validation_context({"trust_roots": roots, "allow_fetching": False, "revocation_mode": "hard-fail"})
                try:
                    status = await async_validate_pdf_timestamp(sig, validation_context=vc)
                    # A timestamp has no bottom line of its own in pyHanko: valid, intact, trusted, and what follows it allowed.
                    ok = status.valid and status.intact and status.trusted
                    out = {"kind": "document-timestamp", "field": sig.field_name, "indication": None,
                           "bottomLine": bool(ok and status.docmdp_ok is not False), "docmdpOk": status.docmdp_ok is not False,
                           "modificationLevel": level(status), "trusted": bool(status.trusted)}
                except Exception as e:  # a judge reports, it does not crash
                    out = {"kind": "document-timestamp", "field": sig.field_name, "error": repr(e)}
            elif mode in ("lt", "external"):
                if mode == "lt":
                    vc = DocumentSecurityStore.read_dss(reader).as_validation_context(
                        {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "hard-fail"})
                else:
                    vc = ValidationContext(trust_roots=roots, crls=external_crls, allow_fetching=False, revocation_mode="hard-fail")
                status = await async_validate_pdf_signature(sig, signer_validation_context=vc)
                out = {"kind": "signature", "field": sig.field_name, "indication": None,
                       "bottomLine": bool(status.bottom_line), "docmdpOk": bool(status.docmdp_ok),
                       "modificationLevel": level(status), "trusted": bool(status.trusted)}
            else:
                result = await ades_lta_validation(sig, spec)
                status = result.api_status
                out = {"kind": "signature", "field": sig.field_name,
                       "indication": str(result.ades_subindic),
                       "bottomLine": bool(status and status.bottom_line),
                       "docmdpOk": bool(status and status.docmdp_ok),
                       "modificationLevel": level(status)}
            print(json.dumps(out), flush=True)


asyncio.run(main())
