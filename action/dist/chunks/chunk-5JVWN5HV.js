import { createRequire as __konduktorCreateRequire } from 'node:module';
const require = __konduktorCreateRequire(import.meta.url);
import{__name}from"./chunk-IPXIYCNS.js";var StepError=class extends Error{static{__name(this,"StepError")}name="StepError"};export{StepError};
