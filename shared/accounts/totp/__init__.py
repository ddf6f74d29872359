"""TOTP second factors (a Lambdabase extension): enrolment, codes, recovery codes, remembered devices, MFA."""
